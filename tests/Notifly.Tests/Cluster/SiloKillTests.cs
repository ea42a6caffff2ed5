// Three silos (the built binary, each its own process) form one Orleans cluster whose membership
// lives in a real redis-server, and share one PostgreSQL. One is killed with SIGKILL while it
// has attempts in flight: the cluster must declare it dead, a survivor must bring its leases due
// at once, and every accepted notification must end SENT on the survivors — long before the
// leases (5 minutes here) could have expired on their own. The api node, a client of the
// cluster, then still accepts a notification, which the survivors deliver.
using System.Diagnostics;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;
using Xunit.Abstractions;

namespace Notifly.Tests.Cluster;

public class SiloKillTests(ITestOutputHelper output)
{
    private const int Notifications = 300;

    [Fact]
    public async Task A_killed_silos_attempts_finish_on_the_survivors_without_waiting_for_their_leases()
    {
        var postgres = await PostgresServer.GetAsync();
        var redis = await RedisServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("silokill");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(204, delay: TimeSpan.FromSeconds(2)); // attempts stay in flight long enough to be caught

        var clusterId = $"test-{Guid.NewGuid():N}";
        var silos = Enumerable.Range(0, 3).Select(_ => ClusterSilo.Start(connectionString, redis, clusterId,
            new Dictionary<string, string> { ["Notifly__Dispatch__Lease"] = "00:05:00" })).ToArray();
        try
        {
            await ClusterSilo.WaitReadyAsync(silos);

            await using var api = await ClusterSilo.StartApiNodeAsync(connectionString, redis, clusterId);
            var tenant = await api.CreateTenantAsync();

            var ids = new List<Guid>();
            for (var i = 0; i < Notifications; i++)
            {
                ids.Add((await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, payload: new { i }))).RequestId);
            }

            // The victim is whichever silo holds the most attempts once they are running: on a
            // loaded machine one silo may be slow enough to its first claim that the others take
            // every attempt, and killing it would test nothing.
            var leases = await Eventually.MatchAsync(
                async () => await Task.WhenAll(silos.Select(s => LeasesHeldAsync(connectionString, s))),
                counts => counts.Any(n => n > 0), TimeSpan.FromSeconds(60), "a silo to run attempts");
            var victim = silos[Array.IndexOf(leases, leases.Max())];
            var held = leases.Max();
            var killed = Stopwatch.StartNew();
            victim.Process.Kill(entireProcessTree: true);
            await victim.Process.WaitForExitAsync();

            await Eventually.MatchAsync(() => LeasesHeldAsync(connectionString, victim), n => n == 0,
                TimeSpan.FromSeconds(60), "the dead silo's leases to be released");
            var released = killed.Elapsed;
            await Eventually.MatchAsync(() => CountAsync(connectionString, "SELECT count(*) FROM notifications WHERE status = 'SENT'"),
                n => n == Notifications, TimeSpan.FromSeconds(120), "every notification to be sent");
            var recovered = killed.Elapsed;
            output.WriteLine($"victim held {held} leases at the kill; released after {released.TotalSeconds:F1} s; all {Notifications} SENT after {recovered.TotalSeconds:F1} s");

            (await CountAsync(connectionString, "SELECT count(*) FROM reminders")).Should().Be(0, "nothing is left due or stuck");
            (await CountAsync(connectionString, "SELECT count(*) FROM notification_events WHERE event = 'LEASE_RELEASED'"))
                .Should().BeGreaterThan(0, "the survivors released the victim's leases rather than waiting for them");
            receiver.Requests.Count.Should().BeGreaterThanOrEqualTo(Notifications, "every notification reached the receiver at least once");
            recovered.Should().BeLessThan(TimeSpan.FromMinutes(5), "the 5-minute leases never expired: the release did it");

            // The api node, a client of the cluster, goes on serving after losing a gateway: its
            // next lease may need the tenant's grain re-activated on a survivor.
            receiver.SetDefault(204);
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the lease lifetime: the next send leases through the grain
            var after = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, payload: new { after = true }));
            await tenant.Http.WaitForStatusAsync(after.RequestId, NotificationStatus.Sent);
        }
        finally
        {
            foreach (var silo in silos)
            {
                if (!silo.Process.HasExited)
                {
                    silo.Process.Kill(entireProcessTree: true);
                }

                silo.Process.Dispose();
            }
        }
    }

    private static Task<long> LeasesHeldAsync(string connectionString, ClusterSilo silo) => CountAsync(connectionString, silo.LeasesSql);

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
