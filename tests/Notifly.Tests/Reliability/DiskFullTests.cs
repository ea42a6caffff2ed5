// PostgreSQL out of disk space: the database's tablespace is a small tmpfs, filled to the last
// byte. Intake then answers 503 with Retry-After and a problem detail that says the database is
// full (not "unreachable": it answers), stores nothing and loses nothing already accepted; the
// node's /metrics counts the refusals; and once space is freed the node recovers by itself and
// delivers what was waiting. Mounting the tmpfs takes root, which the test machines give.
using System.Diagnostics;
using System.Net;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Reliability;

public class DiskFullTests
{
    [Fact]
    public async Task A_full_disk_refuses_intake_clearly_loses_nothing_and_recovers_when_space_returns()
    {
        var postgres = await PostgresServer.GetAsync();
        var mount = Path.Combine("/tmp", $"notifly-small-{Guid.NewGuid():N}"[..26]);
        var tablespace = $"small_{Guid.NewGuid():N}"[..14];
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount);
        string? connectionString = null;
        try
        {
            // The server's own user must own the tablespace's directory (postgres when we are root).
            await RunAsync("chown", "--reference", postgres.Server.DataDirectory, mount);
            await ExecuteAsync(postgres.Server.ConnectionStringFor("postgres"), $"CREATE TABLESPACE {tablespace} LOCATION '{mount}'");
            connectionString = await postgres.CreateDatabaseInAsync(tablespace, "diskfull");
            await using var receiver = await WebhookReceiver.StartAsync();
            receiver.SetDefault(204);
            await using (var node = await NotiflyNode.StartAsync(connectionString))
            {
                var tenant = await node.CreateTenantAsync();
                var before = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, idempotencyKey: "before"));
                await tenant.Http.WaitForStatusAsync(before.RequestId, NotificationStatus.Sent);

                // CREATE DATABASE leaves the copy's files sparse, its pages in shared buffers. Written
                // out after the fill, they would need space there is none of, and every backend of
                // the server that evicted one would fail (53100), whatever its database. So the
                // pages go to disk while there is room: later writes overwrite, never allocate.
                await ExecuteAsync(postgres.Server.ConnectionStringFor("postgres"), "CHECKPOINT");
                await FillAsync(connectionString);

                // Tables still have room in their last pages: requests are accepted (and durable)
                // until one needs a new page, and that one is refused.
                var accepted = new List<Guid>();
                HttpResponseMessage refused;
                string refusedKey;
                while (true)
                {
                    refusedKey = $"while-full-{accepted.Count}";
                    refused = await tenant.Http.SendAsync(Calls.Webhook(receiver.Url, idempotencyKey: refusedKey));
                    if (refused.StatusCode != HttpStatusCode.Accepted)
                    {
                        break;
                    }

                    accepted.Add((await refused.ReadAsync<NotificationAccepted>()).RequestId);
                    refused.Dispose();
                    accepted.Should().HaveCountLessThan(2000, "a full disk refuses writes sooner or later");
                }

                refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
                refused.Headers.RetryAfter.Should().NotBeNull();
                var problem = await refused.ProblemAsync();
                problem.GetProperty("code").GetString().Should().Be("SERVICE_UNAVAILABLE");
                problem.GetProperty("title").GetString().Should().Contain("out of disk space");
                refused.Dispose();
                using (var probe = node.Client())
                {
                    var metrics = await probe.GetStringAsync("/metrics");
                    MetricsText.Value(metrics, """notifly_database_errors_total{sqlstate="53100"}""").Should().BeGreaterThan(0,
                        "an SRE's alert needs a series that says the database is full");
                }

                await ExecuteAsync(connectionString, "DROP TABLE filler");

                var after = await Eventually.MatchAsync(
                    () => tenant.Http.SendAsync(Calls.Webhook(receiver.Url, idempotencyKey: refusedKey)),
                    r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(20), "intake to recover once space is back");
                after.Headers.Contains("Idempotent-Replayed").Should().BeFalse("the refused request stored nothing");
                accepted.Add((await after.ReadAsync<NotificationAccepted>()).RequestId);
                foreach (var id in accepted.Append(before.RequestId))
                {
                    await tenant.Http.WaitForStatusAsync(id, NotificationStatus.Sent, TimeSpan.FromSeconds(30));
                }

                receiver.Requests.Should().HaveCount(accepted.Count + 1, "everything accepted, before and while the disk filled, was sent once");
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (connectionString is not null)
            {
                var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
                await ExecuteAsync(postgres.Server.ConnectionStringFor("postgres"), $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }

            await ExecuteAsync(postgres.Server.ConnectionStringFor("postgres"), $"DROP TABLESPACE IF EXISTS {tablespace}");
            await RunAsync("umount", mount);
            Directory.Delete(mount);
        }
    }

    /// <summary>Writes incompressible rows until PostgreSQL says the disk is full (SQLSTATE 53100), down to its last pages.</summary>
    private static async Task FillAsync(string connectionString)
    {
        await ExecuteAsync(connectionString, "CREATE TABLE filler (b bytea)");
        await ExecuteAsync(connectionString, "ALTER TABLE filler ALTER b SET STORAGE EXTERNAL"); // stored as is, never compressed
        // 1 MB rows until one does not fit, then 64 kB ones, then 4 kB: the last pages left go too.
        // One connection, opened while there is room: on a full disk a new backend may fail to
        // start at all ("could not write init file"), which says the same thing.
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        try
        {
            var written = 0L;
            foreach (var size in (int[])[1 << 20, 1 << 16, 1 << 12])
            {
                var chunk = new byte[size];
                while (true)
                {
                    Random.Shared.NextBytes(chunk);
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        await connection.DisposeAsync(); // a failed extend may have ended its backend
                        connection = new NpgsqlConnection(connectionString);
                        try
                        {
                            await connection.OpenAsync();
                        }
                        catch (PostgresException) when (written > 0)
                        {
                            return; // not even a backend can start: full
                        }
                    }

                    await using var insert = new NpgsqlCommand("INSERT INTO filler VALUES ($1)", connection);
                    insert.Parameters.Add(new NpgsqlParameter { Value = chunk });
                    try
                    {
                        await insert.ExecuteNonQueryAsync();
                        written += size;
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DiskFull)
                    {
                        break;
                    }

                    if (written > 200L << 20)
                    {
                        throw new InvalidOperationException("200 MB went into a 48 MB tablespace: the database is not on it");
                    }
                }
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)} failed: {error} (the test mounts a tmpfs: it needs root)");
    }
}
