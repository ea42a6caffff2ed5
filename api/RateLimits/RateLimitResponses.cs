using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Http;
using Notifly.Grains.Observability;
using Notifly.Grains.Tenants.RateLimits;

namespace Notifly.Api.RateLimits;

/// <summary>
/// How REST says "over the limit" (docs/0006): 429 RATE_LIMIT_EXCEEDED with <c>Retry-After</c>
/// and the IETF draft's <c>RateLimit-Limit</c> / <c>-Remaining</c> / <c>-Reset</c>.
/// </summary>
public static class RateLimitResponses
{
    public static ProblemHttpResult Refuse(HttpContext context, RateLimitDecision decision, int refused)
    {
        var seconds = SetHeaders(context, decision, refused);
        return Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, "The tenant's rate limit is exceeded.",
            $"Nothing was stored. Retry after {seconds} s.",
            new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    /// <summary>Sets the headers for <paramref name="refused"/> requests that were not admitted; returns Retry-After in seconds.</summary>
    public static long SetHeaders(HttpContext context, RateLimitDecision decision, int refused)
    {
        NotiflyMetrics.RateLimited.Add(refused, new KeyValuePair<string, object?>("source", "rest"));

        // Whole seconds, rounded up, and never 0: a client told "0" would retry at once and be refused again.
        var seconds = Math.Max(1, (long)Math.Ceiling(decision.RetryAfter.TotalSeconds));
        var text = seconds.ToString(CultureInfo.InvariantCulture);
        var headers = context.Response.Headers;
        headers.RetryAfter = text;
        headers["RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = "0";
        headers["RateLimit-Reset"] = text;
        headers["RateLimit-Policy"] = $"{decision.Limit};w={(long)decision.Window.TotalSeconds}";
        return seconds;
    }
}
