using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Text;
using System.Text.Json.Nodes;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Recipients;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// Sends email through SendGrid's v3 Mail Send API (docs/0016): one personalization per message,
/// carrying the notification and tenant ids as custom args so they come back in event webhooks.
/// It takes its settings as a value, not <c>IOptions</c>: a sender may be built for one tenant's
/// own SendGrid account. SendGrid has no idempotency key, so an attempt whose 202 is lost may be
/// sent twice on retry.
/// </summary>
public sealed class SendGridEmailSender(
    HttpClient httpClient, SendGridOptions options, TimeProvider timeProvider, UnsubscribeLinks? unsubscribe = null) : IChannelSender
{
    public const string MessageIdHeader = "X-Message-Id";

    public Channel Channel => Channel.Email;

    /// <summary>
    /// One client for the process. Redirects are not followed (an API answering 3xx is misconfigured);
    /// its own timeout is off because <see cref="SendGridOptions.Timeout"/> governs. No egress guard:
    /// the SendGrid host is an operator's setting, not a tenant's.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public static Uri MailSendUri(SendGridOptions settings) => new($"{settings.BaseUrl.AbsoluteUri.TrimEnd('/')}/v3/mail/send");

    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(work.Recipient.Email) || !MailAddress.TryCreate(work.Recipient.Email, out var to))
        {
            return AttemptOutcome.Permanent("INVALID_RECIPIENT", "The recipient has no valid email address.");
        }

        var headers = await UnsubscribeLinks.HeadersAsync(unsubscribe, work, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, MailSendUri(options))
        {
            Content = new StringContent(Body(work, to, headers).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);

        // As in WebhookSender: our deadline stays distinguishable from the caller's cancellation.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return await ClassifyAsync(response, deadline.Token, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"SendGrid did not answer within {options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return AttemptOutcome.Transient("NETWORK_ERROR", Redact(ResponseSnippet.Truncate(e.Message)));
        }
    }

    private JsonObject Body(SendWork work, MailAddress to, IReadOnlyList<KeyValuePair<string, string>> unsubscribeHeaders)
    {
        var recipient = new JsonObject { ["email"] = to.Address };
        if (to.DisplayName.Length > 0)
        {
            recipient["name"] = to.DisplayName;
        }

        var from = new JsonObject { ["email"] = options.From };
        if (!string.IsNullOrEmpty(options.FromName))
        {
            from["name"] = options.FromName;
        }

        var headers = new JsonObject
        {
            ["X-Notifly-Notification-Id"] = work.NotificationId.ToString("D"),
            ["X-Notifly-Correlation-Id"] = work.CorrelationId.ToString("D"),
        };
        foreach (var (name, value) in unsubscribeHeaders)
        {
            headers[name] = value;
        }

        var subject = EmailContent.Subject(work);
        var body = EmailContent.Body(work);
        return new JsonObject
        {
            ["personalizations"] = new JsonArray(new JsonObject
            {
                ["to"] = new JsonArray(recipient),
                // Custom args come back on every event of this message (docs/0016); values must be strings.
                ["custom_args"] = new JsonObject
                {
                    ["notification_id"] = work.NotificationId.ToString("D"),
                    ["tenant_id"] = work.TenantId.ToString("D"),
                },
            }),
            ["from"] = from,
            ["subject"] = subject,
            ["content"] = new JsonArray(new JsonObject
            {
                ["type"] = work.BodyIsHtml ? "text/html" : "text/plain",
                // SendGrid refuses an empty content value (400); an empty payload renders as nothing.
                ["value"] = body.Length > 0 ? body : subject,
            }),
            ["headers"] = headers,
        };
    }

    private async Task<AttemptOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken readToken, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            // 202: queued. The body is empty; the message id is a header, and events carry it as
            // the start of their sg_message_id.
            return AttemptOutcome.Success(
                response.Headers.TryGetValues(MessageIdHeader, out var ids) ? ids.FirstOrDefault() : null, status);
        }

        var detail = await ResponseSnippet.ReadAsync(response.Content, readToken);
        cancellationToken.ThrowIfCancellationRequested();
        var error = SendGridError.Parse(detail);
        var description = Redact(ResponseSnippet.Truncate(error is null
            ? $"SendGrid answered HTTP {status} {response.ReasonPhrase}: {detail}"
            : $"SendGrid answered HTTP {status}: {error}"));

        switch (status)
        {
            case 401 or 403:
                // 401: the key is wrong or revoked; 403: the key lacks mail.send, the From is not a
                // verified sender, or SendGrid blocked the account. The operator has to act.
                return AttemptOutcome.Permanent(
                    "PROVIDER_AUTH_FAILED", ResponseSnippet.Truncate($"SendGrid refused the API key or the sender. {description}"), status);
            case 400:
                return AttemptOutcome.Permanent("SENDGRID_BAD_REQUEST", description, status);
            case 413:
                return AttemptOutcome.Permanent("SENDGRID_PAYLOAD_TOO_LARGE", description, status);
            case 429:
                return AttemptOutcome.Transient("SENDGRID_RATE_LIMITED", description, RateLimitWait(response), status);
            case 408 or >= 500:
                return AttemptOutcome.Transient($"HTTP_{status}", description, RetryAfter.From(response.Headers.RetryAfter, timeProvider.GetUtcNow()), status);
            default:
                // Any other 4xx (or 3xx, not followed) fails again on retry.
                return AttemptOutcome.Permanent($"HTTP_{status}", description, status);
        }
    }

    /// <summary>
    /// Until the rate-limit window resets: <c>X-RateLimit-Reset</c> is the reset time in Unix
    /// seconds (SendGrid's "Rate Limits" docs); a <c>Retry-After</c>, if any, may only lengthen it.
    /// </summary>
    private TimeSpan? RateLimitWait(HttpResponseMessage response)
    {
        var now = timeProvider.GetUtcNow();
        TimeSpan? reset = null;
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            && epoch <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            var wait = DateTimeOffset.FromUnixTimeSeconds(epoch) - now;
            reset = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        var retryAfter = RetryAfter.From(response.Headers.RetryAfter, now);
        return (reset, retryAfter) switch
        {
            ({ } a, { } b) => a > b ? a : b,
            _ => reset ?? retryAfter,
        };
    }

    /// <summary>SendGrid never echoes the key as far as its docs say; a proxy's error page might.</summary>
    private string Redact(string text) =>
        string.IsNullOrEmpty(options.ApiKey) ? text : text.Replace(options.ApiKey, "[redacted]", StringComparison.Ordinal);
}
