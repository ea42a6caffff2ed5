using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Security;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// One POST of a status-webhook delivery, signed per Standard Webhooks: <c>webhook-id</c> is the
/// delivery id (the same on every attempt, so receivers can drop duplicates), and while a rotated-out
/// secret is still within its overlap <c>webhook-signature</c> carries a <c>v1</c> entry for each
/// secret, space-separated, so a receiver verifying with either accepts the call. The client must
/// be the SSRF-guarded one (<see cref="WebhookSender.CreateHttpClient"/>), which also never follows redirects.
/// </summary>
internal sealed class StatusWebhookCall(HttpClient httpClient, SecretBox box, TimeProvider time)
{
    public async Task<CallResult> SendAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var webhookId = delivery.Id.ToString();
        var timestamp = now.ToUnixTimeSeconds();
        string signature;
        try
        {
            signature = StandardWebhookSigner.Sign(Open(delivery.Secret, delivery.EndpointId), webhookId, timestamp, body);
            if (delivery.PreviousSecret is { } previous && delivery.PreviousSecretExpiresAt > now)
            {
                signature += " " + StandardWebhookSigner.Sign(Open(previous, delivery.EndpointId), webhookId, timestamp, body);
            }
        }
        catch (CryptographicException e)
        {
            // Sealed under a key no longer configured: no attempt can succeed until an operator acts.
            return new CallResult(OutcomeKind.Permanent, null, null, $"SECRET_UNREADABLE: {e.Message}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in delivery.Headers)
        {
            // .NET keeps content headers (Content-Language, …) apart from the request's own.
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", WebhookSender.UserAgent);
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);

        // Wall-clock on purpose, as in WebhookSender: a fake clock in a test must not hang a request.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(delivery.TimeoutSeconds));
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var snippet = await ResponseSnippet.ReadAsync(response.Content, deadline.Token);
            cancellationToken.ThrowIfCancellationRequested();
            if (status is >= 200 and < 300)
            {
                return new CallResult(OutcomeKind.Success, status, snippet, null);
            }

            // 408, 429 and 5xx say "not now"; any other status (3xx included: redirects are not
            // followed) will be the same next time.
            return status is 408 or 429 or >= 500
                ? new CallResult(OutcomeKind.Transient, status, snippet, $"HTTP {status}", RetryAfter.From(response.Headers.RetryAfter, time.GetUtcNow()))
                : new CallResult(OutcomeKind.Permanent, status, snippet, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new CallResult(OutcomeKind.Transient, null, null, $"TIMEOUT: no response within {delivery.TimeoutSeconds} s");
        }
        catch (HttpRequestException e) when (e.InnerException is EgressRefusedException refused)
        {
            return new CallResult(OutcomeKind.Permanent, null, null, $"DESTINATION_NOT_ALLOWED: {ResponseSnippet.Truncate(refused.Message)}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new CallResult(OutcomeKind.Transient, null, null, $"NETWORK_ERROR: {ResponseSnippet.Truncate(e.Message)}");
        }
    }

    private string Open(byte[] sealedSecret, Guid endpointId) =>
        box.Open(sealedSecret, StatusWebhookSecrets.Current.AssociatedData(endpointId));
}
