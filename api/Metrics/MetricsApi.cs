using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Notifly.Api.Metrics;

public static class MetricsApi
{
    /// <summary>
    /// <c>GET /metrics</c> in the Prometheus text format. Unauthenticated, like the health probes:
    /// it carries no tenant data, only process-wide counts; keep it off the public ingress.
    /// </summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (PrometheusMetrics metrics) =>
            Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8")).ExcludeFromDescription();
        return app;
    }
}
