using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Grains.Channels.Sms;

/// <summary>
/// Sends an SMS, or a WhatsApp message when the recipient's phone is a <c>whatsapp:+…</c> address,
/// through Twilio's Messages API. Twilio offers no idempotency key for creating a message, so an
/// attempt whose answer is lost (timeout after Twilio accepted it) may be sent twice on retry.
/// </summary>
public sealed class TwilioSmsSender(HttpClient httpClient, IOptions<TwilioOptions> options, TimeProvider timeProvider)
    : IChannelSender
{
    public const string WhatsAppPrefix = "whatsapp:";

    // https://www.twilio.com/docs/api/errors/20003: "Authenticate", sent with 401.
    private const int AuthenticationError = 20003;

    public Channel Channel => Channel.Sms;

    /// <summary>
    /// One client for the process. Redirects are not followed (an API answering 3xx is misconfigured);
    /// its own timeout is off because <see cref="TwilioOptions.Timeout"/> governs. No egress guard:
    /// unlike a webhook URL, the Twilio host is the operator's setting, not a tenant's.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var phone = work.Recipient.Phone?.Trim();
        if (string.IsNullOrEmpty(phone) || phone.Equals(WhatsAppPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AttemptOutcome.Permanent("INVALID_RECIPIENT", "The recipient has no phone number.");
        }

        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUri(settings))
        {
            Content = new FormUrlEncodedContent(Form(settings, phone, work)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.AccountSid}:{settings.AuthToken}")));

        // As in WebhookSender: our deadline stays distinguishable from the caller's cancellation.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return await ClassifyAsync(response, deadline.Token, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"Twilio did not answer within {settings.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return AttemptOutcome.Transient("NETWORK_ERROR", ResponseSnippet.Truncate(e.Message));
        }
    }

    public static Uri MessagesUri(TwilioOptions settings) =>
        new($"{settings.BaseUrl.AbsoluteUri.TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(settings.AccountSid ?? "")}/Messages.json");

    /// <summary>The message text: the rendered body, else the subject, else the payload as lines.</summary>
    public static string Text(SendWork work) =>
        work.Body ?? work.Subject ?? PayloadText.Render(work.PayloadJson).ReplaceLineEndings("\n").TrimEnd('\n');

    private static List<KeyValuePair<string, string>> Form(TwilioOptions settings, string phone, SendWork work)
    {
        var whatsApp = phone.StartsWith(WhatsAppPrefix, StringComparison.OrdinalIgnoreCase);
        var to = whatsApp ? WhatsAppPrefix + phone[WhatsAppPrefix.Length..].Trim() : phone;
        var form = new List<KeyValuePair<string, string>> { new("To", to) };
        if (settings.FromIsMessagingService)
        {
            // The service picks the sender from its pool, a WhatsApp sender for a whatsapp: To.
            form.Add(new("MessagingServiceSid", settings.From!));
        }
        else
        {
            form.Add(new("From", whatsApp ? WhatsAppPrefix + settings.From : settings.From!));
        }

        form.Add(new("Body", Text(work)));
        if (settings.StatusCallback is { } callback)
        {
            form.Add(new("StatusCallback", callback.AbsoluteUri));
        }

        return form;
    }

    private async Task<AttemptOutcome> ClassifyAsync(
        HttpResponseMessage response, CancellationToken readToken, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            // Accepted: a body we fail to read must not turn into a retry, which would send twice.
            return AttemptOutcome.Success(await ReadSidAsync(response.Content, readToken), status);
        }

        var detail = await ResponseSnippet.ReadAsync(response.Content, readToken);
        cancellationToken.ThrowIfCancellationRequested();
        var error = TwilioError.Parse(detail);
        var description = ResponseSnippet.Truncate(error is null
            ? $"Twilio answered HTTP {status} {response.ReasonPhrase}: {detail}"
            : $"Twilio answered HTTP {status}, error {error.Code}: {error.Message} {error.MoreInfo}".TrimEnd());

        if (status is 401 or 403 || error?.Code == AuthenticationError)
        {
            // Not the recipient's fault and not passing: the operator has to fix the account settings.
            return AttemptOutcome.Permanent(
                "PROVIDER_AUTH_FAILED",
                ResponseSnippet.Truncate($"The deployment's Twilio credentials ({TwilioOptions.SectionName}:AccountSid/AuthToken) were refused. {description}"),
                status);
        }

        var code = error?.Code is { } twilioCode ? $"TWILIO_{twilioCode}" : $"HTTP_{status}";
        if (status is 408 or 429 or >= 500)
        {
            return AttemptOutcome.Transient(code, description, RetryAfter.From(response.Headers.RetryAfter, timeProvider.GetUtcNow()), status);
        }

        // Any other 4xx (or 3xx, not followed) fails again on retry. Twilio's recipient errors land
        // here with their own codes: 21211 invalid To, 21408 region not enabled, 21610 recipient
        // unsubscribed (replied STOP), 21614 To is not a mobile number.
        return AttemptOutcome.Permanent(code, description, status);
    }

    private static async Task<string?> ReadSidAsync(HttpContent content, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("sid", out var sid) && sid.ValueKind == JsonValueKind.String
                ? sid.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }
}
