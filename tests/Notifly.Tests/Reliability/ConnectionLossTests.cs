// PostgreSQL connections cut in the middle of turns: while requests come in and attempts are in
// flight, every one of the node's backends is terminated (pg_terminate_backend) over and over,
// so intake transactions, claims and result writes lose their connection half-way. A request is
// then either refused (503: nothing stored, the client retries) or accepted and delivered; none
// is lost, none stuck, and one is delivered twice only when its lease ran out first.
using System.Net;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Reliability;

public class ConnectionLossTests
{
    private const int Requests = 80;

    [Fact]
    public async Task Connections_cut_mid_turn_lose_strand_and_duplicate_nothing()
    {
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("cut");
        await using var node = await NotiflyNode.StartAsync(connectionString);
        var tenant = await node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(204, delay: TimeSpan.FromMilliseconds(100)); // attempts in flight while connections go

        using var stop = new CancellationTokenSource();
        var cuts = CutConnectionsAsync(connectionString, stop.Token);
        var accepted = new List<Guid>();
        var refused = 0;
        for (var i = 0; i < Requests; i++)
        {
            using var response = await tenant.Http.SendAsync(Calls.Webhook(receiver.Url, payload: new { i }));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add((await response.ReadAsync<NotificationAccepted>()).RequestId);
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a cut connection is the database's failure, and retryable");
                (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("SERVICE_UNAVAILABLE");
                refused++;
            }

            await Task.Delay(25);
        }

        await stop.CancelAsync();
        var terminated = await cuts;

        terminated.Should().BeGreaterThan(20, "the node's connections were cut again and again");
        accepted.Should().HaveCountGreaterThan(Requests / 4);
        foreach (var id in accepted)
        {
            // A pooled connection whose backend was ended fails its next use (503) and is dropped:
            // the first reads after the cuts may be refused like that; the node recovers by itself.
            await Eventually.MatchAsync(async () =>
                {
                    using var response = await tenant.Http.GetAsync($"/api/notifications/{id}");
                    return response.StatusCode == HttpStatusCode.OK ? (await response.ReadAsync<NotificationDetails>()).Notification.Status : (NotificationStatus?)null;
                },
                status => status == NotificationStatus.Sent, TimeSpan.FromSeconds(30), $"notification {id} to be sent");
        }

        var delivered = receiver.Requests.GroupBy(r => r.Header("Idempotency-Key")).ToDictionary(g => g.Key!, g => g.Count());
        accepted.Select(id => $"{id:N}.webhook").Should().BeSubsetOf(delivered.Keys, "every accepted notification reached the receiver");
        // At least once: a result that could not be written before its lease ran out (the cuts go
        // on for seconds) is attempted again, and only then may the receiver see it twice.
        var twice = delivered.Where(d => d.Value > 1).Select(d => Guid.ParseExact(d.Key.Split('.')[0], "N")).ToArray();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(DISTINCT notification_id) FROM notification_events WHERE notification_id = ANY($1) AND event IN ('LEASE_EXPIRED', 'LEASE_RELEASED')",
                connection);
            command.Parameters.Add(new NpgsqlParameter { Value = twice });
            ((long)(await command.ExecuteScalarAsync())!).Should().Be(twice.Length, "a notification reaches the receiver twice only after its lease ran out");
        }

        delivered.Should().HaveCount(accepted.Count, "a refused request stored nothing, so nothing of it was sent");
        (accepted.Count + refused).Should().Be(Requests, "every request was answered 202 or 503");
    }

    /// <summary>Terminates every other backend of the database every 100 ms; returns how many it ended.</summary>
    private static async Task<long> CutConnectionsAsync(string connectionString, CancellationToken stop)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        long total = 0;
        while (!stop.IsCancellationRequested)
        {
            await using (var connection = new NpgsqlConnection(builder.ConnectionString))
            {
                await connection.OpenAsync(CancellationToken.None);
                await using var command = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                    connection);
                total += (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
            }

            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return total;
    }
}
