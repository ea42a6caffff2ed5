using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// Sends one push through FCM HTTP v1 (<c>projects/{id}/messages:send</c>) and classifies
/// the answer by FCM's errorCode. A 401 that is not THIRD_PARTY_AUTH_ERROR means our access token
/// went stale: it is dropped and the call made once more with a fresh one.
/// </summary>
public sealed class FcmPushSender(
    HttpClient httpClient, FcmAccessTokens tokens, IOptions<FcmOptions> options, TimeProvider timeProvider)
    : IChannelSender
{
    public Channel Channel => Channel.Push;

    /// <summary>One client for the process; its own timeout is off because <see cref="FcmOptions.Timeout"/> governs.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(work.Recipient.PushToken))
        {
            return AttemptOutcome.Permanent("INVALID_RECIPIENT", "The recipient has no push token.");
        }

        var body = Body(work);
        var endpoint = new Uri(options.Value.BaseUrl, $"v1/projects/{Uri.EscapeDataString(tokens.ProjectId)}/messages:send");

        // Wall-clock on purpose, as in the webhook sender: a timeout stays distinguishable from
        // the caller's cancellation, and a fake TimeProvider cannot leave a call hanging.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        try
        {
            for (var call = 1; ; call++)
            {
                var accessToken = await tokens.GetAsync(deadline.Token);
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

                using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return await SuccessAsync(response, deadline.Token);
                }

                var error = await FcmError.ReadAsync(response.Content, deadline.Token);
                cancellationToken.ThrowIfCancellationRequested();
                if (status == 401 && error.Code != "THIRD_PARTY_AUTH_ERROR" && call == 1)
                {
                    tokens.Invalidate(accessToken);
                    continue;
                }

                return Classify(status, error, RetryAfter.From(response.Headers.RetryAfter, timeProvider.GetUtcNow()));
            }
        }
        catch (FcmTokenException e)
        {
            return e.IsTransient
                ? AttemptOutcome.Transient("PROVIDER_UNAVAILABLE", ResponseSnippet.Truncate(e.Message), e.RetryAfter, e.Status)
                : AttemptOutcome.Permanent("PROVIDER_AUTH_FAILED", ResponseSnippet.Truncate(e.Message), e.Status);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"No response within {options.Value.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return AttemptOutcome.Transient("NETWORK_ERROR", ResponseSnippet.Truncate(e.Message));
        }
    }

    /// <summary>The message resource: title from the subject, body from the body or the payload as text.</summary>
    internal static byte[] Body(SendWork work)
    {
        var notification = new Dictionary<string, string>
        {
            ["body"] = work.Body ?? PayloadText.Render(work.PayloadJson).TrimEnd(),
        };
        if (work.Subject is { } subject)
        {
            notification["title"] = subject;
        }

        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            message = new
            {
                token = work.Recipient.PushToken,
                notification,
                // FCM's data values must be strings.
                data = new Dictionary<string, string>
                {
                    ["notificationId"] = work.NotificationId.ToString(),
                    ["eventType"] = work.EventType,
                },
            },
        });
    }

    private static async Task<AttemptOutcome> SuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var body = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            var name = body.RootElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            return AttemptOutcome.Success(name, status);
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            // FCM took the message; only its id is lost. Sending again would duplicate the push.
            return AttemptOutcome.Success(providerStatus: status);
        }
    }

    private static AttemptOutcome Classify(int status, FcmError error, TimeSpan? retryAfter)
    {
        var message = ResponseSnippet.Truncate($"FCM HTTP {status} {error.Code}: {error.Message}");
        return error.Code switch
        {
            "UNREGISTERED" => AttemptOutcome.Permanent("FCM_UNREGISTERED", message, status),
            "INVALID_ARGUMENT" => AttemptOutcome.Permanent("FCM_INVALID_ARGUMENT", message, status),
            "SENDER_ID_MISMATCH" or "THIRD_PARTY_AUTH_ERROR" or "PERMISSION_DENIED" or "UNAUTHENTICATED" =>
                AttemptOutcome.Permanent("PROVIDER_AUTH_FAILED", message, status),
            "QUOTA_EXCEEDED" or "UNAVAILABLE" or "INTERNAL" or "RESOURCE_EXHAUSTED" =>
                AttemptOutcome.Transient($"FCM_{error.Code}", message, retryAfter, status),
            _ when status is 401 or 403 => AttemptOutcome.Permanent("PROVIDER_AUTH_FAILED", message, status),
            _ when status is 408 or 429 or >= 500 => AttemptOutcome.Transient($"HTTP_{status}", message, retryAfter, status),
            _ => AttemptOutcome.Permanent(error.Code is { } code ? $"FCM_{code}" : $"HTTP_{status}", message, status),
        };
    }
}
