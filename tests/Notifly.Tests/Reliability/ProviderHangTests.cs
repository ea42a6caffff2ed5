// A provider that takes a call and never answers: the sender's timeout ends the attempt (not the
// lease, which would duplicate it), the notification is retried and sent once the provider answers
// again, another tenant's webhook is not held up meanwhile, and /metrics says what happened: failed
// attempts with error_code TIMEOUT, and attempt durations at the timeout.
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Reliability;

public class ProviderHangTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_provider_hanging_past_its_timeout_costs_attempts_not_the_notification_and_shows_in_metrics()
    {
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("hang");
        // Its own process: metrics are counted per process, and other tests' nodes share ours.
        var port = FreeTcpPort.Pick();
        using var process = NotiflyProcess.Start(port, new Dictionary<string, string>
        {
            ["ConnectionStrings__Notifly"] = connectionString,
            ["Notifly__Operator__Tokens__0"] = NotiflyNode.OperatorToken,
            ["Notifly__Channels__Webhook__Timeout"] = "00:00:01",
            ["Notifly__Channels__Smtp__Timeout"] = "00:00:01",
            ["Notifly__Dispatch__Lease"] = "00:00:10",
            ["Notifly__Retry__InitialDelay"] = "00:00:00.100",
            ["Notifly__Retry__MaxDelay"] = "00:00:00.200",
        });
        try
        {
            await NotiflyProcess.WaitReadyAsync(port, TimeSpan.FromSeconds(60));
            await HangAndRecoverAsync(connectionString, new Uri($"http://127.0.0.1:{port}"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static async Task HangAndRecoverAsync(string connectionString, Uri node)
    {
        await using var hanging = await WebhookReceiver.StartAsync();
        await using var healthy = await WebhookReceiver.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            hanging.Enqueue(ScriptedResponse.Hanging); // takes the request, never answers
        }

        hanging.SetDefault(204);
        healthy.SetDefault(204);
        using var tenant = await TenantClientAsync(node);
        using var other = await TenantClientAsync(node);

        var stuckAtProvider = await tenant.SendOkAsync(Calls.Webhook(hanging.Url));
        await hanging.WaitForRequestsAsync(1, TimeSpan.FromSeconds(10));
        var meanwhile = await other.SendOkAsync(Calls.Webhook(healthy.Url));
        (await other.WaitForStatusAsync(meanwhile.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(10)))
            .Should().NotBeNull("another tenant's webhook goes out while one provider hangs");

        var details = await tenant.WaitForStatusAsync(stuckAtProvider.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(30));

        details.Logs.Select(l => l.ErrorCode).Should().Equal("TIMEOUT", "TIMEOUT", "TIMEOUT", null);
        details.Logs.Take(3).Should().OnlyContain(l => l.LatencyMs >= Timeout.TotalMilliseconds * 0.9 && l.LatencyMs < Timeout.TotalMilliseconds * 4,
            "each hung attempt ended at the sender's timeout");
        hanging.Requests.Should().HaveCount(4, "three hung calls and the one that was answered");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM notification_events WHERE notification_id = $1 AND event IN ('LEASE_EXPIRED', 'LEASE_RELEASED')", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = stuckAtProvider.RequestId });
            ((long)(await command.ExecuteScalarAsync())!).Should().Be(0, "the timeout, not the lease, ended each attempt: nothing was taken over");
        }

        using var probe = new HttpClient { BaseAddress = node };
        var metrics = await probe.GetStringAsync("/metrics");
        MetricsText.Value(metrics, """notifly_delivery_attempts_total{channel="WEBHOOK",outcome="transient",error_code="TIMEOUT"}""").Should().Be(3);
        MetricsText.Value(metrics, """notifly_delivery_attempts_total{channel="WEBHOOK",outcome="success"}""").Should().Be(2);
        (MetricsText.Value(metrics, """notifly_delivery_attempt_duration_seconds_count{channel="WEBHOOK"}""")
            - MetricsText.Value(metrics, """notifly_delivery_attempt_duration_seconds_bucket{channel="WEBHOOK",le="0.5"}"""))
            .Should().Be(3, "the hung attempts are the ones that took about the timeout");
    }

    private static async Task<HttpClient> TenantClientAsync(Uri node)
    {
        using var operatorClient = new HttpClient { BaseAddress = node };
        operatorClient.DefaultRequestHeaders.Authorization = new("Bearer", NotiflyNode.OperatorToken);
        var slug = $"hang-{Guid.NewGuid():N}"[..20];
        using var created = await operatorClient.PostAsJsonAsync("/api/operator/tenants", new { name = slug, slug });
        ((int)created.StatusCode).Should().Be(201, await created.Content.ReadAsStringAsync());
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var client = new HttpClient { BaseAddress = node };
        client.DefaultRequestHeaders.Authorization = new("Bearer", body.RootElement.GetProperty("adminKey").GetProperty("secret").GetString());
        return client;
    }
}
