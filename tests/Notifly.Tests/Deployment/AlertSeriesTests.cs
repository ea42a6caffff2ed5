// The alerts and the Grafana dashboard in k8s/monitoring read series by name; a renamed
// instrument would leave an alert silent for ever. This scrapes a real node's /metrics after a
// delivery, a dead letter and a Kafka request, and requires every series the rules and panels
// name to be there, or, for the few that appear only on a rarer event (a lease expiring, a
// circuit opening), to be an instrument Notifly declares under that exact name.
using System.Diagnostics.Metrics;
using System.Text;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Observability;
using Notifly.Silo.Hosting;
using Notifly.Tests.Kafka.Ingestion;
using Notifly.Tests.Support;

namespace Notifly.Tests.Deployment;

/// <summary>
/// Tests that read series of meters every host creates under one name (ASP.NET Core's
/// <c>Microsoft.AspNetCore.Hosting</c>): they run alone, after the parallel ones. When another
/// test's host is disposed, its meter of the same name goes, and OpenTelemetry stops the series
/// for every provider in the process (open-telemetry/opentelemetry-dotnet#6412). A process runs
/// one host in production; the test process runs dozens.
/// </summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

[Collection(nameof(AloneCollection))]
public class AlertSeriesTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    // Counted only when something rare happens; a test that provokes each lives elsewhere
    // (ProviderFailoverTests, StatusWebhookDeliveryTests, the Kafka outage tests, …).
    private static readonly string[] Rare =
    [
        "notifly_database_errors_total",
        "notifly_delivery_leases_expired_total",
        "notifly_provider_circuit_rejections_total",
        "notifly_provider_circuit_transitions_total",
        "notifly_provider_failovers_total",
        "notifly_kafka_ingest_errors_total",
        "notifly_outbox_publish_failures_total",
        "notifly_rate_limited_requests_total",
        "notifly_status_webhooks_attempts_total",
        "notifly_status_webhooks_endpoints_disabled_total",
        "notifly_provider_circuits_open",
    ];

    [Fact]
    public async Task Every_series_the_alerts_and_the_dashboard_read_is_exported()
    {
        var used = await Manifests.AlertSeriesAsync();
        used.Should().Contain(["notifly_delivery_end_to_end_seconds_bucket", "http_server_request_duration_seconds_count", "notifly_cluster_silos_active"]);

        var tenant = await fixture.Node.CreateTenantAsync();
        // The receiver answers its next call 410: that one first, alone, so no other call takes it.
        fixture.Webhooks.EnqueueResponse(410);
        var failed = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/gone/{tenant.Id}")));
        await tenant.Http.WaitForStatusAsync(failed.RequestId, NotificationStatus.Failed, Wait);
        var sent = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/ok/{tenant.Id}")));
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested, IngestionProbe.Message(tenant.Id,
                IngestionProbe.Request(tenant.Id, $"a-{Guid.NewGuid():N}", fixture.Webhooks.UrlFor($"/kafka/{tenant.Id}"))));
        }

        await tenant.Http.WaitForStatusAsync(sent.RequestId, NotificationStatus.Sent, Wait);
        using var http = fixture.Node.Client();
        // Each series appears with its first measurement, some a moment after the others (a batch's
        // commit time after its messages): wait for them all, then judge the last scrape.
        var expected = used.Where(series => !Rare.Contains(series)).ToArray();
        string scrape;
        try
        {
            scrape = await Eventually.MatchAsync(() => http.GetStringAsync("/metrics"),
                text => expected.All(MetricsText.Names(text).Contains), Wait, "every common series to be exported");
        }
        catch (TimeoutException)
        {
            scrape = await http.GetStringAsync("/metrics");
        }

        var exported = MetricsText.Names(scrape);
        var missing = used.Where(series => !exported.Contains(series)).ToArray();
        missing.Should().BeSubsetOf(Rare, "every other series is in a scrape after a delivery, a dead letter and a Kafka request");
        var declared = DeclaredSeries();
        missing.Should().OnlyContain(series => declared.Contains(series), "each rare series is an instrument of that name");
    }

    /// <summary>The Prometheus names of every Notifly instrument (as the exporter names them).</summary>
    private static HashSet<string> DeclaredSeries()
    {
        RuntimeHelpersTouch();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name != NotiflyMetrics.MeterName)
            {
                return;
            }

            var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
            names.Add(instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) ? name + "_total" : name);
            names.Add(name + "_bucket");
        };
        listener.Start();
        return names;
    }

    // The instruments are static fields: make sure their class has run its initializer.
    private static void RuntimeHelpersTouch() => System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(NotiflyMetrics).TypeHandle);
}
