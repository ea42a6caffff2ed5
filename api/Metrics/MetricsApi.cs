using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Notifly.Api.Metrics;

public static class MetricsApi
{
    public const string Path = "/metrics";

    /// <summary>
    /// <c>GET /metrics</c>: OpenTelemetry's Prometheus exporter. Unauthenticated, like the health
    /// probes: it carries no tenant data, only process-wide counts. With <c>Notifly:Metrics:Port</c>
    /// it answers only on that port (one the public Service and Ingress do not expose).
    /// </summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(Path);
        if (app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is { } port)
        {
            endpoint.RequireHost($"*:{port}");
        }

        return app;
    }

    /// <summary>Kubernetes' probes and Prometheus' scrapes: not worth a span each, every few seconds.</summary>
    public static bool IsProbeOrScrape(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments(Path, StringComparison.Ordinal);
}
