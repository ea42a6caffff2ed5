using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>
/// POSTs a signed Standard Webhooks call. Give it the client from <see cref="CreateHttpClient"/>
/// (or one on <see cref="CreateHandler"/>): a handler that follows redirects would turn a 3xx,
/// which we classify as permanent, into a call to wherever the receiver points us.
/// </summary>
public sealed class WebhookSender(HttpClient httpClient, IOptions<WebhookOptions> options, TimeProvider timeProvider)
    : IChannelSender
{
    public const string UserAgent = "Notifly-Webhooks/1.0";

    public Channel Channel => Channel.Webhook;

    public static SocketsHttpHandler CreateHandler(EgressGuard guard) => new()
    {
        AllowAutoRedirect = false,
        // The client lives as long as the silo; recycling connections lets it see DNS changes.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        // Resolve, check, and connect to the address that was checked: checking the URL's host
        // at intake instead would let a name point inside the network by the time we connect.
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(guard.IsAllowed).ToArray();
            if (allowed.Length == 0)
            {
                throw new EgressRefusedException(host, addresses);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>
    /// One client for the process. Its own timeout is off because <see cref="WebhookOptions.Timeout"/>
    /// governs; HttpClient's 100 s default would otherwise cut longer settings short.
    /// </summary>
    public static HttpClient CreateHttpClient(EgressGuard guard) => new(CreateHandler(guard)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    /// <summary>Stable across attempts, so a receiver can drop the duplicate of a delivery it already has.</summary>
    public static string WebhookId(Guid notificationId) => $"msg_{notificationId:N}";

    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Uri.TryCreate(work.Recipient.WebhookUrl, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            return AttemptOutcome.Permanent("INVALID_RECIPIENT", "The recipient has no absolute http(s) webhook URL.");
        }

        var now = timeProvider.GetUtcNow();
        var webhookId = WebhookId(work.NotificationId);
        byte[] body;
        string signature;
        try
        {
            body = WebhookBody.Build(work, now);
            signature = StandardWebhookSigner.Sign(work.WebhookSecret, webhookId, now.ToUnixTimeSeconds(), body);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            // Our data, not the receiver's answer, is wrong: no retry will fix it.
            return AttemptOutcome.Permanent("INVALID_REQUEST", e.Message);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", signature);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", work.IdempotencyKey);

        // A separate source, linked to the caller's, so a timeout (retry later) stays
        // distinguishable from the caller's cancellation (process stopping: throw). Wall-clock on
        // purpose: a fake TimeProvider in a test must not leave a request hanging forever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return await ClassifyAsync(response, deadline.Token, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Ours, or HttpClient.Timeout if someone set it shorter: either way the receiver was too slow.
            return AttemptOutcome.Transient("TIMEOUT", $"No response within {options.Value.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e) when (e.InnerException is EgressRefusedException refused)
        {
            // Not the receiver's trouble and not going away by itself: no retry.
            return AttemptOutcome.Permanent("DESTINATION_NOT_ALLOWED", ResponseSnippet.Truncate(refused.Message));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return AttemptOutcome.Transient("NETWORK_ERROR", ResponseSnippet.Truncate(e.Message));
        }
    }

    private async Task<AttemptOutcome> ClassifyAsync(
        HttpResponseMessage response, CancellationToken readToken, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            return AttemptOutcome.Success(providerStatus: status);
        }

        var detail = await ResponseSnippet.ReadAsync(response.Content, readToken);
        cancellationToken.ThrowIfCancellationRequested();
        var code = $"HTTP_{status}";
        var message = ResponseSnippet.Truncate($"HTTP {status} {response.ReasonPhrase}: {detail}");

        // 408, 429 and 5xx say "not now"; any other status, 3xx included since we do not
        // follow redirects, will be the same on the next attempt.
        return status is 408 or 429 or >= 500
            ? AttemptOutcome.Transient(code, message, RetryAfter.From(response.Headers.RetryAfter, timeProvider.GetUtcNow()), status)
            : AttemptOutcome.Permanent(code, message, status);
    }
}
