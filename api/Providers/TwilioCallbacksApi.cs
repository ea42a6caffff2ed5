using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Sms;
using Notifly.Grains.Notifications;
using Notifly.Grains.Providers;
using Notifly.Grains.Recipients;

namespace Notifly.Api.Providers;

/// <summary>
/// <c>POST /api/providers/twilio/callbacks/status</c>, Twilio's message status callback
/// (docs/0014). No API key: Twilio's <c>X-Twilio-Signature</c> is the authority, checked against
/// <c>Notifly:PublicBaseUrl</c> + this path, the URL Twilio was given, whatever a proxy in front
/// rewrote. Only final statuses act; every verified callback gets 200, or Twilio would retry.
/// </summary>
public static class TwilioCallbacksApi
{
    public const string StatusPath = ProviderCallbackPaths.TwilioStatus;

    public static IEndpointRouteBuilder MapTwilioCallbacksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(StatusPath, (HttpContext context, IOptions<RecipientsOptions> publicUrl, CancellationToken cancellationToken) =>
            Status(context, publicUrl, null, cancellationToken)).WithName("TwilioStatusCallback").WithTags("Providers").DisableAntiforgery()
            .MayAnswer(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        app.MapPost($"{StatusPath}/{{providerId:guid}}", Status).WithName("TwilioProviderStatusCallback").WithTags("Providers").DisableAntiforgery()
            .MayAnswer(StatusCodes.Status401Unauthorized);
        return app;
    }

    /// <param name="providerId">A tenant's own Twilio provider (docs/0015): its token checks the signature, and only its tenant's messages move.</param>
    public static async Task<Results<Ok, ProblemHttpResult>> Status(
        HttpContext context, IOptions<RecipientsOptions> publicUrl, Guid? providerId, CancellationToken cancellationToken)
    {
        var services = context.RequestServices;
        var receipts = services.GetRequiredService<ProviderReceipts>();
        var (token, onlyTenantId) = await ProviderCallbackKeys.ResolveAsync(services, providerId, "twilio", "authToken",
            () => services.GetRequiredService<IOptions<TwilioOptions>>().Value is { AccountSid: not null } twilio ? twilio.AuthToken : null,
            cancellationToken);
        if (token is null)
        {
            return Problems.NotFound("Twilio callback endpoint"); // no such Twilio account here
        }

        var form = context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(cancellationToken)
            : FormCollection.Empty;
        var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? ""))).ToArray();
        var url = publicUrl.Value.PublicBaseUrl.TrimEnd('/') + StatusPath + (providerId is null ? "" : $"/{providerId}") + context.Request.QueryString;
        if (!TwilioSignature.IsValid(token, url, parameters, context.Request.Headers[TwilioSignature.Header].ToString()))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidSignature,
                "A valid X-Twilio-Signature is required.",
                "Twilio signs the URL Notifly:PublicBaseUrl names; check it matches the callback URL Twilio was given.");
        }

        ReceiptStatus? status = form["MessageStatus"].ToString() switch
        {
            "delivered" => ReceiptStatus.Delivered,
            "undelivered" or "failed" => ReceiptStatus.Undelivered,
            _ => null, // queued, sending, sent…: not final, nothing to record
        };
        var sid = form["MessageSid"].ToString();
        if (status is { } final && sid.Length > 0)
        {
            var code = form["ErrorCode"].ToString();
            await receipts.ApplyAsync(Channel.Sms, sid, final, code.Length > 0 ? code : null, onlyTenantId, cancellationToken);
        }

        return TypedResults.Ok();
    }
}
