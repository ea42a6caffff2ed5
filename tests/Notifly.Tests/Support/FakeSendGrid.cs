using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notifly.Tests.Support;

/// <summary>
/// SendGrid's v3 Mail Send API on a free loopback port, as documented
/// (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send): <c>POST /v3/mail/send</c>,
/// JSON, <c>Authorization: Bearer</c> with the API key. It answers 401 with SendGrid's error body
/// to a wrong key, 400 with SendGrid's documented messages to a body without personalizations/to,
/// from, subject or content, and 202 with an <c>X-Message-Id</c> otherwise, unless a scripted
/// answer is queued. It also holds the account's Signed Event Webhook key pair
/// (<see cref="EventWebhook"/>), as SendGrid holds the private half.
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    public const string ApiKey = "SG.fake_key_id.5ecret_never_in_logs_7c1d9e";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<SendGridMail> mails = [];
    private readonly Queue<Answer> script = new();
    private readonly CancellationTokenSource stopping = new();

    private FakeSendGrid(WebApplication app) => this.app = app;

    public string BaseAddress { get; private set; } = "";

    public SendGridEventWebhook EventWebhook { get; } = new();

    /// <summary>Every request that passed authentication and the body checks, scripted answers included.</summary>
    public IReadOnlyList<SendGridMail> Mails
    {
        get
        {
            lock (gate)
            {
                return [.. mails];
            }
        }
    }

    public static async Task<FakeSendGrid> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakeSendGrid(app);
        app.MapPost("/v3/mail/send", fake.SendAsync);
        fake.BaseAddress = await LoopbackServer.StartAsync(app);
        return fake;
    }

    /// <summary>The next valid request gets SendGrid's error body: <c>{"errors":[{message, field, help}, …]}</c>.</summary>
    public void EnqueueError(int status, params (string Message, string? Field)[] errors) =>
        Enqueue(new Answer(status, ErrorBody(errors)));

    /// <summary>The next valid request gets 429 with SendGrid's rate-limit headers (and a Retry-After when given).</summary>
    public void EnqueueRateLimited(DateTimeOffset reset, TimeSpan? retryAfter = null) =>
        Enqueue(new Answer(429, ErrorBody(("too many requests", null)), reset, retryAfter));

    /// <summary>The next valid request gets exactly this status and body (a proxy's page, say).</summary>
    public void EnqueueRaw(int status, string body) => Enqueue(new Answer(status, body));

    /// <summary>The next valid request gets no answer until its caller gives up.</summary>
    public void EnqueueHang() => Enqueue(new Answer(0, "", Hang: true));

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
        EventWebhook.Dispose();
    }

    private void Enqueue(Answer answer)
    {
        lock (gate)
        {
            script.Enqueue(answer);
        }
    }

    private async Task SendAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            await WriteAsync(context, new Answer(401, ErrorBody(("The provided authorization grant is invalid, expired, or revoked", null))));
            return;
        }

        JsonElement body;
        try
        {
            using var json = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            body = json.RootElement.Clone();
        }
        catch (JsonException)
        {
            await WriteAsync(context, new Answer(400, ErrorBody(("Bad Request", null))));
            return;
        }

        if (Invalid(body) is { } invalid)
        {
            await WriteAsync(context, new Answer(400, ErrorBody(invalid)));
            return;
        }

        // SendGrid's ids are 22 URL-safe Base64 characters; an event's sg_message_id starts with one.
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Answer answer;
        lock (gate)
        {
            mails.Add(new SendGridMail(id, body));
            answer = script.TryDequeue(out var next) ? next : new Answer(202, "", MessageId: id);
        }

        if (answer.Hang)
        {
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, ended.Token);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return;
            }
        }

        await WriteAsync(context, answer);
    }

    // SendGrid's documented 400 messages (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors).
    private static (string Message, string? Field)? Invalid(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("personalizations", out var personalizations) || personalizations.ValueKind != JsonValueKind.Array
            || personalizations.GetArrayLength() == 0)
        {
            return ("You must have at least one personalization.", "personalizations");
        }

        if (!personalizations[0].TryGetProperty("to", out var to) || to.ValueKind != JsonValueKind.Array || to.GetArrayLength() == 0
            || !IsAddress(to[0], "email"))
        {
            return ("The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
                "personalizations.0.to");
        }

        if (!body.TryGetProperty("from", out var from) || !IsAddress(from, "email"))
        {
            return ("The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.",
                "from.email");
        }

        if (!body.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.String || subject.GetString()!.Length == 0)
        {
            return ("The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
                "subject");
        }

        if (!body.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array || content.GetArrayLength() == 0
            || content[0].GetProperty("type").GetString() is not ("text/plain" or "text/html"))
        {
            return ("Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
                "content");
        }

        return content[0].TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0
            ? null
            : ("The content value must be a string at least one character in length.", "content.0.value");
    }

    private static bool IsAddress(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && MailAddress.TryCreate(value.GetString(), out var address) && address.Address == value.GetString();

    private static async Task WriteAsync(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.MessageId is not null)
        {
            context.Response.Headers["X-Message-Id"] = answer.MessageId;
        }

        if (answer.RateLimitReset is { } reset)
        {
            context.Response.Headers["X-RateLimit-Limit"] = "600";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        if (answer.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        if (answer.Body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    private static string ErrorBody(params (string Message, string? Field)[] errors) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["errors"] = errors.Select(e => new Dictionary<string, object?> { ["message"] = e.Message, ["field"] = e.Field, ["help"] = null }).ToArray(),
    });

    private sealed record Answer(
        int Status, string Body, DateTimeOffset? RateLimitReset = null, TimeSpan? RetryAfter = null, string? MessageId = null, bool Hang = false);
}
