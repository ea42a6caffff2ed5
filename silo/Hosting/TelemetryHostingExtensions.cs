using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.Api.Metrics;
using Notifly.Grains.Observability;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Traces, metrics and logs through OpenTelemetry. Metrics always: Notifly's meter, ASP.NET
/// Core's and the .NET runtime's, read by the Prometheus exporter at <c>/metrics</c>. Traces when
/// an OTLP endpoint is configured by the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>…),
/// or <c>Notifly:Tracing:Enabled</c> is true: spans cost allocations on every request, so
/// nothing records them while nothing would read them. With OTLP, logs are exported too. Log
/// lines carry the current trace and span ids as scope values either way.
/// </summary>
public static class TelemetryHostingExtensions
{
    /// <summary>Orleans' own sources: grain calls, with the context they carry between silos and clients.</summary>
    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public static IHostApplicationBuilder AddNotiflyTelemetry(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpConfigured(configuration);
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME, when set, names the service; otherwise "notifly".
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("notifly");
                }
            })
            // ASP.NET Core's request durations and Kestrel's connections, not its routing and
            // diagnostics meters: a counter per route match is not worth its cost on every request.
            .WithMetrics(metrics => metrics
                .AddMeter(NotiflyMetrics.MeterName, "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                .AddPrometheusExporter());

        if (TracingEnabled(configuration))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(NotiflyTracing.SourceName)
                .AddSource(OrleansSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !MetricsApi.IsProbeOrScrape(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }

        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeScopes = true;
                o.IncludeFormattedMessage = true;
            });
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Whether spans are recorded (and Orleans carries the trace across grain calls).</summary>
    public static bool TracingEnabled(IConfiguration configuration) =>
        configuration.GetValue("Notifly:Tracing:Enabled", OtlpConfigured(configuration));

    private static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
}
