// Where telemetry goes, as the deployment's settings say: traces to an OTLP endpoint named by the
// standard OTEL_* variables (here a real HTTP server standing in for a collector), and /metrics
// on a port of its own when Notifly:Metrics:Port says so.
using Notifly.Tests.Support;

namespace Notifly.Tests.Observability;

public class TelemetryExportTests
{
    [Fact]
    public async Task Traces_go_to_the_otlp_endpoint_the_standard_variables_name()
    {
        await using var collector = await WebhookReceiver.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("otlp"), new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseAddress,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "notifly-under-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100", // ms: the batch goes out at once, not after 5 s
        });
        var tenant = await node.CreateTenantAsync();
        await tenant.Http.SendOkAsync(Calls.Webhook(collector.UrlFor("/not-otlp")));

        var exported = await collector.WaitForRequestsAsync(1, TimeSpan.FromSeconds(20), r => r.Path == "/v1/traces");
        exported[0].Header("Content-Type").Should().Be("application/x-protobuf");
        // The protobuf carries the service's name as a plain UTF-8 string.
        exported[0].Body.Should().Contain("notifly-under-test");
    }

    [Fact]
    public async Task Metrics_answer_only_on_their_own_port_when_one_is_set()
    {
        var (api, metrics) = (FreeTcpPort.Pick(), FreeTcpPort.Pick());
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("metrics-port"),
            new Dictionary<string, string?> { ["Notifly:Metrics:Port"] = metrics.ToString() },
            urls: [$"http://127.0.0.1:{api}", $"http://127.0.0.1:{metrics}"]);
        using var http = new HttpClient();

        (await http.GetAsync($"http://127.0.0.1:{api}/metrics")).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await http.GetAsync($"http://127.0.0.1:{api}/health/live")).IsSuccessStatusCode.Should().BeTrue();
        var scrape = await http.GetStringAsync($"http://127.0.0.1:{metrics}/metrics");
        MetricsText.Has(scrape, "notifly_dispatch_in_flight").Should().BeTrue();
    }
}
