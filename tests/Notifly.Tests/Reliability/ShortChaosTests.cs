// The short version of the chaos run (issue 15): REST traffic through an api node into a
// cluster of two silos (the built binary, each its own process, membership in a real Redis)
// while one silo is killed with SIGKILL and PostgreSQL crashes (immediate stop) and comes back.
// The audit afterwards, from the database and the receiver: every 202 is stored (0 lost) and
// SENT (0 stuck), and a notification reached the receiver twice only if one of its attempts
// was cut off (its lease released or expired): at least once, never more than the faults explain.
using System.Diagnostics;
using Npgsql;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;
using Xunit.Abstractions;

namespace Notifly.Tests.Reliability;

public class ShortChaosTests(ITestOutputHelper output)
{
    private const int Requests = 240;

    [Fact]
    public async Task A_silo_killed_and_postgres_crashed_under_load_lose_and_strand_nothing()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-chaos-{Guid.NewGuid():N}");
        var options = new PrivatePostgresOptions { DataDirectory = directory, KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
        var connectionString = postgres.ConnectionString;
        var redis = await RedisServer.GetAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(204, delay: TimeSpan.FromMilliseconds(300)); // attempts in flight when the faults hit
        var clusterId = $"chaos-{Guid.NewGuid():N}";
        var silos = Enumerable.Range(0, 2).Select(_ => ClusterSilo.Start(connectionString, redis, clusterId, new Dictionary<string, string>
        {
            ["Notifly__Dispatch__Lease"] = "00:00:15",
            ["Notifly__Channels__Webhook__Timeout"] = "00:00:05", // the lease must outlast every sender's timeout
            ["Notifly__Channels__Smtp__Timeout"] = "00:00:05",
            ["Notifly__Retry__InitialDelay"] = "00:00:00.200",
            ["Notifly__Retry__MaxDelay"] = "00:00:01",
        })).ToList();
        try
        {
            await ClusterSilo.WaitReadyAsync(silos);

            await using var api = await ClusterSilo.StartApiNodeAsync(connectionString, redis, clusterId);
            var tenant = await api.CreateTenantAsync();

            var accepted = new List<Guid>();
            var refused = 0;
            var refusals = new List<int>();
            var faults = new List<string>();
            long cutOffAtKill = 0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Requests; i++)
            {
                if (i == Requests / 3)
                {
                    // The silo with the most attempts in flight, so that the kill cuts some off.
                    var leases = await Task.WhenAll(silos.Select(s => CountOrNoneAsync(connectionString, null, null, s.LeasesSql)));
                    var victim = silos[Array.IndexOf(leases, leases.Max())];
                    victim.Process.Kill(entireProcessTree: true);
                    await victim.Process.WaitForExitAsync();
                    // What the dead silo still held once it was gone: attempts the kill cut off.
                    cutOffAtKill = await CountOrNoneAsync(connectionString, null, null, victim.LeasesSql);
                    faults.Add($"silo killed at {clock.Elapsed.TotalSeconds:F1} s with {cutOffAtKill} attempts in flight");
                }

                if (i == 2 * Requests / 3)
                {
                    await postgres.CrashAsync();
                    faults.Add($"PostgreSQL crashed at {clock.Elapsed.TotalSeconds:F1} s");
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    options.Port = postgres.Port;
                    postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
                    faults.Add($"PostgreSQL back at {clock.Elapsed.TotalSeconds:F1} s");
                }

                try
                {
                    using var response = await tenant.Http.SendAsync(Calls.Webhook(receiver.Url, payload: new { i }));
                    if ((int)response.StatusCode == 202)
                    {
                        accepted.Add((await response.ReadAsync<Notifly.GrainInterfaces.Notifications.NotificationAccepted>()).RequestId);
                    }
                    else
                    {
                        refused++; // not accepted: the client knows and may retry; nothing is promised
                        refusals.Add((int)response.StatusCode);
                    }
                }
                catch (HttpRequestException)
                {
                    refused++;
                }

                await Task.Delay(25);
            }

            // The audit: once the survivors are done, every accepted notification is SENT.
            var sent = await Eventually.MatchAsync(() => CountOrNoneAsync(connectionString, accepted, "SENT"),
                n => n == accepted.Count, TimeSpan.FromSeconds(120), "every accepted notification to be sent");
            var stored = await CountOrNoneAsync(connectionString, accepted, null);
            var delivered = receiver.Requests.GroupBy(r => r.Header("Idempotency-Key")).ToDictionary(g => g.Key!, g => g.Count());
            var twice = delivered.Where(d => d.Value > 1).Select(d => Guid.ParseExact(d.Key.Split('.')[0], "N")).ToArray();
            var cutOff = await CutOffAsync(connectionString, twice);
            output.WriteLine($"{accepted.Count} accepted, {refused} refused during the faults; {stored} stored, {sent} SENT; " +
                $"{delivered.Count} reached the receiver, {twice.Length} twice ({cutOff} of those after an attempt was cut off); {string.Join("; ", faults)}");

            accepted.Should().HaveCountGreaterThan(Requests / 2, "most requests were made while nothing was failing");
            refusals.Where(status => status != 503).Should().BeEmpty("a fault is answered as one the client may retry, never as a 500");
            stored.Should().Be(accepted.Count, "a 202 is durable: nothing accepted is lost");
            sent.Should().Be(accepted.Count, "nothing accepted is stuck");
            accepted.Select(id => $"{id:N}.webhook").Should().BeSubsetOf(delivered.Keys, "every accepted notification reached the receiver");
            cutOff.Should().Be(twice.Length, "a notification is delivered twice only when an attempt of it was cut off by a fault");
            if (cutOffAtKill > 0)
            {
                (await CountOrNoneAsync(connectionString, null, null,
                        "SELECT count(DISTINCT notification_id) FROM notification_events WHERE event IN ('LEASE_RELEASED', 'LEASE_EXPIRED')"))
                    .Should().BeGreaterThanOrEqualTo(cutOffAtKill, "every attempt the kill cut off was taken over by a survivor");
            }
            (await CountOrNoneAsync(connectionString, null, null, "SELECT count(*) FROM reminders")).Should().Be(0, "nothing is left due");
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

            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>How many of <paramref name="ids"/> had an attempt cut off: its lease released after a kill, or expired.</summary>
    private static Task<long> CutOffAsync(string connectionString, Guid[] ids) =>
        CountOrNoneAsync(connectionString, ids, null,
            "SELECT count(DISTINCT notification_id) FROM notification_events WHERE notification_id = ANY($1) AND event IN ('LEASE_RELEASED', 'LEASE_EXPIRED')");

    /// <summary>A count, retried while a restarted PostgreSQL still refuses connections.</summary>
    private static async Task<long> CountOrNoneAsync(string connectionString, IReadOnlyCollection<Guid>? ids, string? status, string? sql = null)
    {
        sql ??= "SELECT count(*) FROM notifications WHERE id = ANY($1) AND ($2::text IS NULL OR status = $2)";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                if (ids is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
                    if (sql.Contains("$2", StringComparison.Ordinal))
                    {
                        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                    }
                }

                return (long)(await command.ExecuteScalarAsync())!;
            }
            catch (NpgsqlException) when (attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }
}
