using System.Net.Http.Headers;

namespace Notifly.Grains.Channels.Webhook;

internal static class RetryAfter
{
    /// <summary>
    /// The wait a <c>Retry-After</c> header asks for, in either of its forms (RFC 9110 §10.2.3):
    /// delta-seconds, or an HTTP-date measured against <paramref name="now"/>. A date already past
    /// means "now", not a negative wait.
    /// </summary>
    public static TimeSpan? From(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
