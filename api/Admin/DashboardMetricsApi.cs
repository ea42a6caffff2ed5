using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Grains.Metrics;
using Notifly.Grains.Storage;

namespace Notifly.Api.Admin;

/// <summary>
/// <c>GET /api/admin/metrics?window=24h</c> (seed 000's dashboard metrics): totals, success rate,
/// latency, per channel, per status, buckets for charts and the seven-day failure summary.
/// </summary>
public static class DashboardMetricsApi
{
    public static async Task<Results<Ok<DashboardMetrics>, ProblemHttpResult>> Get(
        HttpContext context, Database database, TimeProvider time, CancellationToken cancellationToken, string? window = null)
    {
        if (!MetricsWindow.TryParse(window, out var parsed))
        {
            return Problems.Validation("window", MetricsWindow.Help);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await DashboardMetricsQuery.ReadAsync(scope, parsed, time.GetUtcNow(), cancellationToken));
    }
}
