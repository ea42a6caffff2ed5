using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notifly.Tests.Support;

/// <summary>
/// Twilio's Messages API on a free loopback port, as documented
/// (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
/// <c>POST /2010-04-01/Accounts/{AccountSid}/Messages.json</c>, form-encoded, Basic auth with the
/// account SID and auth token. It answers 401/20003 to wrong credentials, 400 with Twilio's codes
/// to a form without To, From/MessagingServiceSid or Body, and 201 with a message resource
/// otherwise, unless a scripted answer is queued.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "tok_5ecret_never_in_logs_9f3a2b";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<TwilioMessage> messages = [];
    private readonly Queue<Answer> script = new();
    private Answer? outage;
    private readonly CancellationTokenSource stopping = new();

    private FakeTwilio(WebApplication app) => this.app = app;

    public string BaseAddress { get; private set; } = "";

    /// <summary>Every request that passed authentication and the form checks, scripted answers included.</summary>
    public IReadOnlyList<TwilioMessage> Messages
    {
        get
        {
            lock (gate)
            {
                return [.. messages];
            }
        }
    }

    public static async Task<FakeTwilio> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakeTwilio(app);
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", fake.CreateMessageAsync);
        fake.BaseAddress = await LoopbackServer.StartAsync(app);
        return fake;
    }

    /// <summary>The next valid request gets Twilio's error body for <paramref name="code"/>.</summary>
    public void EnqueueError(int status, int code, string message, TimeSpan? retryAfter = null) =>
        Enqueue(new Answer(status, ErrorBody(status, code, message), retryAfter));

    /// <summary>Every valid request from now on gets Twilio's error for <paramref name="code"/>, until <see cref="Recover"/>.</summary>
    public void FailAll(int status, int code, string message)
    {
        lock (gate)
        {
            outage = new Answer(status, ErrorBody(status, code, message), null);
        }
    }

    public void Recover()
    {
        lock (gate)
        {
            outage = null;
        }
    }

    /// <summary>The next valid request gets no answer until its caller gives up.</summary>
    public void EnqueueHang() => Enqueue(new Answer(0, "", null, Hang: true));

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private void Enqueue(Answer answer)
    {
        lock (gate)
        {
            script.Enqueue(answer);
        }
    }

    private async Task CreateMessageAsync(HttpContext context, string accountSid)
    {
        if (!IsAuthorized(context.Request.Headers.Authorization.ToString()) || accountSid != AccountSid)
        {
            await WriteAsync(context, new Answer(401, ErrorBody(401, 20003, "Authenticate"), null));
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await WriteAsync(context, new Answer(400, ErrorBody(400, 21602, "Message body is required."), null));
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var missing = Missing(fields);
        if (missing is not null)
        {
            await WriteAsync(context, missing);
            return;
        }

        var sid = "SM" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Answer answer;
        lock (gate)
        {
            messages.Add(new TwilioMessage(sid, fields));
            answer = script.TryDequeue(out var next) ? next : outage ?? new Answer(201, Resource(sid, fields), null);
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

    private static bool IsAuthorized(string header)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        return header == expected;
    }

    // Twilio's documented answers to an incomplete request.
    private static Answer? Missing(Dictionary<string, string> fields)
    {
        if (!fields.ContainsKey("To"))
        {
            return new Answer(400, ErrorBody(400, 21604, "A 'To' phone number is required."), null);
        }

        if (!fields.ContainsKey("From") && !fields.ContainsKey("MessagingServiceSid"))
        {
            return new Answer(400, ErrorBody(400, 21603, "A 'From' phone number is required."), null);
        }

        return string.IsNullOrEmpty(fields.GetValueOrDefault("Body"))
            ? new Answer(400, ErrorBody(400, 21602, "Message body is required."), null)
            : null;
    }

    private static async Task WriteAsync(HttpContext context, Answer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static string ErrorBody(int status, int code, string message) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["code"] = code,
        ["message"] = message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
        ["status"] = status,
    });

    private static string Resource(string sid, Dictionary<string, string> fields) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["account_sid"] = AccountSid,
        ["sid"] = sid,
        ["to"] = fields["To"],
        ["from"] = fields.GetValueOrDefault("From"),
        ["messaging_service_sid"] = fields.GetValueOrDefault("MessagingServiceSid"),
        ["body"] = fields["Body"],
        ["status"] = "queued",
        ["num_segments"] = "1",
        ["direction"] = "outbound-api",
        ["api_version"] = "2010-04-01",
        ["uri"] = $"/2010-04-01/Accounts/{AccountSid}/Messages/{sid}.json",
    });

    private sealed record Answer(int Status, string Body, TimeSpan? RetryAfter, bool Hang = false);
}
