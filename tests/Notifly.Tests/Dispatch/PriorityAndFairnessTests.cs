// Who gets the dispatcher's slots when there is more due work than slots: instant/high before
// normal/low, with slots reserved for them; and within a priority, the tenant with the least in
// flight before a tenant with a backlog. Each test runs its own node (small MaxInFlight) on its
// own database against slow and fast webhook receivers; what is asserted is order (how much
// backlog was delivered before the urgent or the other tenant's notification), not timing.
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Dispatch;

public class PriorityAndFairnessTests
{
    // The window the urgent notification has to go out in while the first wave is still busy: at
    // 2 s a loaded 2-core machine (CI, concurrent builds) sometimes let the wave finish first.
    private static readonly TimeSpan SlowSend = TimeSpan.FromSeconds(5);
    private const int Backlog = 40;

    [Fact]
    public async Task High_priority_uses_a_reserved_slot_while_low_priority_backlog_fills_the_rest()
    {
        await using var run = await Run.StartAsync(maxInFlight: 10, reserved: 0.2);
        var tenant = await run.Node.CreateTenantAsync();
        await SendBacklogAsync(tenant, run.Slow.Url, "low");

        // Wait until the bulk slots are full (8 of 10), so the high one arrives to a busy node.
        await run.Slow.WaitForRequestsAsync(8, TimeSpan.FromSeconds(20));
        var urgent = await tenant.Http.SendOkAsync(Request(run.Fast.Url, "high"));
        await tenant.Http.WaitForStatusAsync(urgent.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(20));

        // It went out in a reserved slot, before the first wave of the backlog finished.
        (await CountSentAsync(run, tenant.Id, Priority.Low)).Should().BeLessThan(8);
        run.Slow.Requests.Count.Should().BeLessThanOrEqualTo(8, "bulk work may use only 80 % of the 10 slots");
    }

    [Fact]
    public async Task High_priority_is_claimed_before_older_normal_work_when_a_slot_frees()
    {
        await using var run = await Run.StartAsync(maxInFlight: 4, reserved: 0);
        var tenant = await run.Node.CreateTenantAsync();
        await SendBacklogAsync(tenant, run.Slow.Url, "normal");
        await run.Slow.WaitForRequestsAsync(4, TimeSpan.FromSeconds(20));

        var urgent = await tenant.Http.SendOkAsync(Request(run.Fast.Url, "high"));
        await tenant.Http.WaitForStatusAsync(urgent.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(30));

        // First in line for the first freed slot: at most the first wave (4) and the slot's
        // neighbours finished before it, not the 36 older normal ones still queued.
        (await CountSentAsync(run, tenant.Id, Priority.Normal)).Should().BeLessThanOrEqualTo(8);
    }

    [Fact]
    public async Task A_tenants_backlog_does_not_delay_another_tenants_first_notification()
    {
        await using var run = await Run.StartAsync(maxInFlight: 4, reserved: 0);
        var flooding = await run.Node.CreateTenantAsync();
        var quiet = await run.Node.CreateTenantAsync();
        await SendBacklogAsync(flooding, run.Slow.Url, "normal");
        await run.Slow.WaitForRequestsAsync(4, TimeSpan.FromSeconds(20));

        var first = await quiet.Http.SendOkAsync(Request(run.Fast.Url, "normal"));
        await quiet.Http.WaitForStatusAsync(first.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(30));

        // Same priority, newer than the whole backlog, yet served at the first freed slot.
        (await CountSentAsync(run, flooding.Id, Priority.Normal)).Should().BeLessThanOrEqualTo(8);
    }

    private static async Task SendBacklogAsync(TestTenant tenant, string url, string priority)
    {
        for (var i = 0; i < Backlog; i++)
        {
            await tenant.Http.SendOkAsync(Request(url, priority));
        }
    }

    private static object Request(string url, string priority) => new
    {
        eventType = "report.ready",
        channels = new[] { "WEBHOOK" },
        recipient = new { webhookUrl = url },
        payload = new { n = 1 },
        priority,
    };

    private static async Task<long> CountSentAsync(Run run, Guid tenantId, Priority priority)
    {
        await using var connection = new NpgsqlConnection(run.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND priority = $2 AND status = 'SENT'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)priority });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A node with a few slots on a database of its own, a slow receiver and a fast one.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private Run(NotiflyNode node, string connectionString, WebhookReceiver slow, WebhookReceiver fast)
        {
            Node = node;
            ConnectionString = connectionString;
            Slow = slow;
            Fast = fast;
        }

        public NotiflyNode Node { get; }

        public string ConnectionString { get; }

        public WebhookReceiver Slow { get; }

        public WebhookReceiver Fast { get; }

        public static async Task<Run> StartAsync(int maxInFlight, double reserved)
        {
            var postgres = await PostgresServer.GetAsync();
            var connectionString = await postgres.CreateDatabaseAsync("dispatch");
            var slow = await WebhookReceiver.StartAsync();
            slow.SetDefault(200, delay: SlowSend);
            var fast = await WebhookReceiver.StartAsync();
            var node = await NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
            {
                ["Notifly:Dispatch:MaxInFlight"] = maxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Notifly:Dispatch:ReservedForHighPriority"] = reserved.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Notifly:Channels:Webhook:Timeout"] = "00:00:10",
                ["Notifly:Dispatch:Lease"] = "00:00:30",
            });
            return new Run(node, connectionString, slow, fast);
        }

        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Slow.DisposeAsync();
            await Fast.DisposeAsync();
        }
    }
}
