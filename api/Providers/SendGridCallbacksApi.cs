using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Notifications;
using Notifly.Grains.Providers;

namespace Notifly.Api.Providers;

/// <summary>
/// <c>POST /api/providers/sendgrid/callbacks/events</c>, SendGrid's Event Webhook (docs/0016).
/// No API key: the Signed Event Webhook's ECDSA signature over timestamp + raw body is the
/// authority, and a timestamp outside <see cref="SendGridEventSignature.MaxAge"/> is a replay.
/// The endpoint exists only with <c>Notifly:Channels:SendGrid:EventWebhookPublicKey</c> set.
/// <c>delivered</c>, <c>bounce</c> and <c>dropped</c> act; every other event is acknowledged and
/// ignored, and a verified batch always gets 200, or SendGrid would post it again.
/// </summary>
public static class SendGridCallbacksApi
{
    public const string EventsPath = ProviderCallbackPaths.SendGridEvents;

    /// <summary>SendGrid posts events in batches, larger than one notification's request.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>Not JSON (400), not signed (401), no such signed account (404), over <see cref="MaxBodyBytes"/> (413).</summary>
    private static readonly int[] CallbackProblems =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge,
    ];

    public static IEndpointRouteBuilder MapSendGridCallbacksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(EventsPath, (HttpContext context, TimeProvider time, CancellationToken cancellationToken) =>
                Events(context, time, null, cancellationToken))
            .WithName("SendGridEventWebhook").WithTags("Providers").DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).MayAnswer(CallbackProblems);
        app.MapPost($"{EventsPath}/{{providerId:guid}}", Events).WithName("SendGridProviderEventWebhook").WithTags("Providers").DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).MayAnswer(CallbackProblems);
        return app;
    }

    /// <param name="providerId">A tenant's own SendGrid provider (docs/0015): its verification key checks the signature, and only its tenant's messages move.</param>
    public static async Task<Results<Ok, ProblemHttpResult>> Events(
        HttpContext context, TimeProvider time, Guid? providerId, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var receipts = services.GetRequiredService<ProviderReceipts>();
        var (publicKey, onlyTenantId) = await ProviderCallbackKeys.ResolveAsync(services, providerId, "sendgrid", "eventWebhookPublicKey",
            () => services.GetRequiredService<IOptions<SendGridOptions>>().Value is { ApiKey: not null } settings ? settings.EventWebhookPublicKey : null,
            cancellationToken);
        if (publicKey is null)
        {
            return Problems.NotFound("SendGrid event webhook"); // no such SendGrid account, or its webhook is not signed
        }

        byte[] body;
        using (var buffer = new MemoryStream())
        {
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }

        var timestamp = context.Request.Headers[SendGridEventSignature.TimestampHeader].ToString();
        var signature = context.Request.Headers[SendGridEventSignature.SignatureHeader].ToString();
        if (!SendGridEventSignature.IsValid(publicKey, timestamp, body, signature))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
                "A valid X-Twilio-Email-Event-Webhook-Signature is required.",
                "SendGrid signs the timestamp header followed by the raw body; check Notifly:Channels:SendGrid:EventWebhookPublicKey is the account's verification key.");
        }

        if (!SendGridEventSignature.IsFresh(timestamp, time.GetUtcNow()))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
                "The signed timestamp is too old or too far ahead.",
                $"Events must be signed within {SendGridEventSignature.MaxAge.TotalMinutes:0} minutes of this server's clock.");
        }

        if (Parse(body) is not { } events)
        {
            return Problems.Validation("body", "SendGrid posts a JSON array of events.");
        }

        foreach (var (messageId, status, errorCode) in events)
        {
            await receipts.ApplyAsync(Channel.Email, messageId, status, errorCode, onlyTenantId, cancellationToken);
        }

        return TypedResults.Ok();
    }

    /// <summary>The batch's final events; null when the body is not a JSON array.</summary>
    private static List<(string MessageId, ReceiptStatus Status, string? ErrorCode)>? Parse(byte[] body)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var events = new List<(string, ReceiptStatus, string?)>();
            foreach (var e in json.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || Text(e, "sg_message_id") is not { Length: > 0 } sgMessageId)
                {
                    continue;
                }

                (ReceiptStatus, string?)? receipt = Text(e, "event") switch
                {
                    "delivered" => (ReceiptStatus.Delivered, null),
                    // A bounce's type is "bounce" (the receiving server refused the address) or
                    // "blocked" (it refused the message, often the sending IP); both are final.
                    "bounce" => (ReceiptStatus.Undelivered, Text(e, "type") == "blocked" ? "SENDGRID_BLOCKED" : "SENDGRID_BOUNCE"),
                    // SendGrid will not even try: a suppressed address, invalid headers, spam content.
                    "dropped" => (ReceiptStatus.Failed, "SENDGRID_DROPPED"),
                    _ => null, // processed, deferred, open, click, spamreport, unsubscribe…: not a delivery's end
                };
                if (receipt is { } final)
                {
                    // sg_message_id is the mail send's X-Message-Id, a dot, then SendGrid's own suffix.
                    var dot = sgMessageId.IndexOf('.', StringComparison.Ordinal);
                    events.Add((dot < 0 ? sgMessageId : sgMessageId[..dot], final.Item1, final.Item2));
                }
            }

            return events;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
