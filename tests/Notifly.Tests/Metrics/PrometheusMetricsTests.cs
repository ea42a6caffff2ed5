// Our Prometheus text rendering of System.Diagnostics.Metrics instruments: counters with
// labels, cumulative histogram buckets, gauges read at scrape time, label escaping. A meter of
// the test's own keeps it apart from Notifly's process-wide instruments.
using System.Diagnostics.Metrics;
using Notifly.Api.Metrics;

namespace Notifly.Tests.Metrics;

public class PrometheusMetricsTests
{
    private readonly string _meterName = $"test.{Guid.NewGuid():N}";

    [Fact]
    public void Renders_counters_per_label_set_with_a_total_suffix()
    {
        using var meter = new Meter(_meterName);
        using var metrics = new PrometheusMetrics(_meterName);
        var counter = meter.CreateCounter<long>("notifly.things", description: "Things.");

        counter.Add(2, new KeyValuePair<string, object?>("channel", "EMAIL"));
        counter.Add(3, new KeyValuePair<string, object?>("channel", "EMAIL"));
        counter.Add(1, new KeyValuePair<string, object?>("channel", "WEBHOOK"));

        metrics.Render().Should().Contain("# TYPE notifly_things_total counter\n")
            .And.Contain("notifly_things_total{channel=\"EMAIL\"} 5\n")
            .And.Contain("notifly_things_total{channel=\"WEBHOOK\"} 1\n");
    }

    [Fact]
    public void Renders_histograms_with_cumulative_buckets_sum_and_count()
    {
        using var meter = new Meter(_meterName);
        using var metrics = new PrometheusMetrics(_meterName);
        var histogram = meter.CreateHistogram<double>("notifly.call.duration", unit: "s");

        histogram.Record(0.003);
        histogram.Record(0.2);
        histogram.Record(60);

        var text = metrics.Render();
        text.Should().Contain("# TYPE notifly_call_duration_seconds histogram\n")
            .And.Contain("notifly_call_duration_seconds_bucket{le=\"0.001\"} 0\n")
            .And.Contain("notifly_call_duration_seconds_bucket{le=\"0.005\"} 1\n")
            .And.Contain("notifly_call_duration_seconds_bucket{le=\"0.25\"} 2\n")
            .And.Contain("notifly_call_duration_seconds_bucket{le=\"30\"} 2\n")
            .And.Contain("notifly_call_duration_seconds_bucket{le=\"+Inf\"} 3\n")
            .And.Contain("notifly_call_duration_seconds_sum 60.203\n")
            .And.Contain("notifly_call_duration_seconds_count 3\n");
    }

    [Fact]
    public void Reads_gauges_at_scrape_time()
    {
        using var meter = new Meter(_meterName);
        using var metrics = new PrometheusMetrics(_meterName);
        var value = 3;
        meter.CreateObservableGauge("notifly.queue.depth", () => value);

        metrics.Render().Should().Contain("notifly_queue_depth 3\n");
        value = 7;
        metrics.Render().Should().Contain("notifly_queue_depth 7\n").And.NotContain("notifly_queue_depth 10");
    }

    [Fact]
    public void Escapes_label_values()
    {
        using var meter = new Meter(_meterName);
        using var metrics = new PrometheusMetrics(_meterName);
        meter.CreateCounter<long>("notifly.odd").Add(1, new KeyValuePair<string, object?>("why", "a \"quoted\"\\path\n"));

        metrics.Render().Should().Contain("notifly_odd_total{why=\"a \\\"quoted\\\"\\\\path\\n\"} 1\n");
    }

    [Fact]
    public void Ignores_other_meters()
    {
        using var other = new Meter($"other.{Guid.NewGuid():N}");
        using var metrics = new PrometheusMetrics(_meterName);
        other.CreateCounter<long>("notifly.elsewhere").Add(1);

        metrics.Render().Should().NotContain("elsewhere");
    }
}
