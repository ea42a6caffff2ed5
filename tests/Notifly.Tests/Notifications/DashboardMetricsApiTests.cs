// GET /api/admin/metrics on a real node and database, checked against traffic the test made and
// against the delivery log: the same figures before the rollup job has folded anything, after it
// has, and when a notification changes status after its hour was folded.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Metrics;
using Notifly.Grains.Queries;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Notifications;

public class DashboardMetricsApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private Database Database => fixture.Node.Services.GetRequiredService<Database>();

    [Fact]
    public async Task Counts_a_tenants_traffic_the_same_before_and_after_the_rollup()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var sent = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            receiver.Enqueue(new ScriptedResponse(200, Delay: TimeSpan.FromMilliseconds(40 * i)));
            var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor($"/ok{i}")));
            await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
            sent.Add(accepted.RequestId);
        }

        receiver.SetDefault(404);
        for (var i = 0; i < 2; i++)
        {
            var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/gone"), eventType: "order.paid"));
            await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed);
        }

        var elsewhere = await other.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/other")));
        await other.Http.WaitForStatusAsync(elsewhere.RequestId, NotificationStatus.Failed);
        using var log = await tenant.Http.GetAsync("/api/admin/logs");
        var latencies = (await log.ReadAsync<Page<DeliveryLogEntry>>()).Items.Select(e => e.LatencyMs!.Value).ToArray();

        var before = await MetricsAsync(tenant.Http);
        ShouldDescribeTheTraffic(before, latencies);
        (await MetricsAsync(other.Http)).Totals.Should().Match<MetricsTotals>(t => t.Notifications == 1 && t.Failed == 1 && t.Attempts == 1);

        await MetricsRollup.CatchUpAsync(Database, TimeSpan.Zero, CancellationToken.None);
        (await RolledUpRowsAsync(tenant.Id)).Should().BePositive("the job folded the tenant's facts into the hourly tables");
        var after = await MetricsAsync(tenant.Http);
        ShouldDescribeTheTraffic(after, latencies);
        after.Should().BeEquivalentTo(before, o => o.Excluding(m => m.To), "a fact counts once, folded or not");

        // A notification folded while in flight: its first attempt hangs until the sender's
        // timeout (2 s), the retry is answered; its later status changes move it in the figures.
        receiver.Enqueue(ScriptedResponse.Hanging);
        receiver.Enqueue(new ScriptedResponse(200));
        var slow = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/slow")));
        await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(30), r => r.Path == "/slow");
        await MetricsRollup.CatchUpAsync(Database, TimeSpan.Zero, CancellationToken.None);
        (await FoldedStatusesAsync(tenant.Id)).Should().Contain("PROCESSING", 1, "the fold saw it in flight");
        await tenant.Http.WaitForStatusAsync(slow.RequestId, NotificationStatus.Sent);
        var moved = await MetricsAsync(tenant.Http);
        moved.ByStatus.Where(s => s.Value != 0).Should().BeEquivalentTo(new Dictionary<string, long> { ["SENT"] = 4, ["FAILED"] = 2 });
        moved.Totals.Should().Match<MetricsTotals>(t => t.Notifications == 6 && t.Sent == 4 && t.InProgress == 0 && t.Attempts == 7
            && t.FailedAttempts == 3);
        moved.FailureSummary.Entries.Should().Equal(
            new FailureSummaryEntry(Channel.Webhook, "HTTP_404", DeadLetters: 2, FailedAttempts: 2),
            new FailureSummaryEntry(Channel.Webhook, "TIMEOUT", DeadLetters: 0, FailedAttempts: 1));
        await MetricsRollup.CatchUpAsync(Database, TimeSpan.Zero, CancellationToken.None);
        (await FoldedStatusesAsync(tenant.Id)).Should().BeEquivalentTo(new Dictionary<string, long> { ["SENT"] = 4, ["FAILED"] = 2 });
        (await MetricsAsync(tenant.Http)).Should().BeEquivalentTo(moved, o => o.Excluding(m => m.To));
    }

    [Fact]
    public async Task Answers_every_bucket_of_the_window_and_refuses_a_window_it_cannot_chart()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var day = await MetricsAsync(tenant.Http);
        day.Window.Should().Be("24h");
        day.BucketSize.Should().Be("1h");
        day.Buckets.Should().HaveCount(24).And.OnlyContain(b => b.Notifications == 0 && b.AverageLatencyMs == null);
        day.Buckets[^1].Start.Should().BeBefore(day.To).And.BeAfter(day.To.AddHours(-1));
        day.Totals.SuccessRate.Should().BeNull("nothing has finished");
        day.ByStatus.Keys.Should().Contain(["ACCEPTED", "SENT", "DELIVERED", "FAILED", "CANCELLED"]).And.OnlyContain(k => day.ByStatus[k] == 0);

        var week = await MetricsAsync(tenant.Http, "7d");
        week.BucketSize.Should().Be("1d");
        week.Buckets.Should().HaveCount(7);
        week.From.Should().Be(week.Buckets[0].Start);

        foreach (var bad in new[] { "0h", "49h", "91d", "24", "1w", "-3d", "h" })
        {
            using var response = await tenant.Http.GetAsync($"/api/admin/metrics?window={bad}");
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad);
            (await response.ProblemAsync()).GetProperty("errors").GetProperty("window").GetArrayLength().Should().Be(1);
        }
    }

    private static void ShouldDescribeTheTraffic(DashboardMetrics metrics, long[] latencies)
    {
        metrics.Totals.Should().Match<MetricsTotals>(t => t.Notifications == 5 && t.Sent == 3 && t.Failed == 2 && t.InProgress == 0
            && t.SuccessRate == 0.6 && t.Attempts == 5 && t.FailedAttempts == 2);
        metrics.ByStatus["SENT"].Should().Be(3);
        metrics.ByStatus["FAILED"].Should().Be(2);
        metrics.ByStatus.Values.Sum().Should().Be(5);
        metrics.Totals.AverageLatencyMs.Should().BeApproximately(latencies.Average(), 0.05);
        var exactP95 = latencies.Order().ElementAt((int)Math.Ceiling(0.95 * latencies.Length) - 1);
        metrics.Totals.P95LatencyMs!.Value.Should().BeInRange((exactP95 + 1) / 1.0906 - 1, ((exactP95 + 1) * 1.0906) - 1, "within a bucket: 9 %");

        var webhook = metrics.ByChannel.Should().ContainSingle().Subject;
        webhook.Should().Match<ChannelMetrics>(c => c.Channel == Channel.Webhook && c.Attempts == 5 && c.Sent == 3 && c.Failed == 2
            && c.Abandoned == 0 && c.SuccessRate == 0.6);
        // everything happened within a minute: in the hour in progress, or also the one before at an hour's turn
        var recent = metrics.Buckets.TakeLast(2).ToArray();
        recent.Sum(b => b.Notifications).Should().Be(5);
        recent.Sum(b => b.Sent).Should().Be(3);
        recent.Sum(b => b.Failed).Should().Be(2);
        recent.Sum(b => b.FailedAttempts).Should().Be(2);
        metrics.Buckets.Sum(b => b.Attempts).Should().Be(5);
        metrics.Buckets.Where(b => b.Attempts > 0).Should().OnlyContain(b => b.AverageLatencyMs != null && b.P95LatencyMs != null);

        metrics.FailureSummary.Entries.Should().ContainSingle().Which.Should()
            .Be(new FailureSummaryEntry(Channel.Webhook, "HTTP_404", DeadLetters: 2, FailedAttempts: 2));
    }

    private static async Task<DashboardMetrics> MetricsAsync(HttpClient http, string? window = null)
    {
        using var response = await http.GetAsync(window is null ? "/api/admin/metrics" : $"/api/admin/metrics?window={window}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<DashboardMetrics>();
    }

    /// <summary>The tenant's notifications by status as the hourly table holds them, statuses with none left out.</summary>
    private async Task<Dictionary<string, long>> FoldedStatusesAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT status, sum(notifications)::bigint FROM notification_status_hourly WHERE tenant_id = $1 GROUP BY 1 HAVING sum(notifications) <> 0",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        var statuses = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            statuses[reader.GetString(0)] = reader.GetInt64(1);
        }

        return statuses;
    }

    private async Task<long> RolledUpRowsAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM attempt_metrics_hourly WHERE tenant_id = $1)
                 * (SELECT count(*) FROM notification_status_hourly WHERE tenant_id = $1)
                 * (SELECT count(*) FROM dead_letter_hourly WHERE tenant_id = $1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
