using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Notifly.Bench.Load;
using Notifly.Bench.Reporting;
using Notifly.Grains.Retention;
using Notifly.Grains.StatusWebhooks;
using Npgsql;

namespace Notifly.Bench.Phases;

/// <summary>
/// <c>retention</c> (issue 15, docs/0035): does dropping days of millions of rows hold up intake?
/// Three days, 40 days back, get <see cref="PerDay"/> notifications each, with an event, an attempt
/// log and an idempotency key per notification, written straight into PostgreSQL. Then REST intake
/// runs twice at <c>--rate</c>, open loop, for <c>--duration</c> seconds: once alone, once while the
/// retention job (the product's <see cref="RetentionService"/>, with its default 30 days) drops
/// the three days. The two runs' latencies side by side are the answer.
/// </summary>
public static class RetentionPhase
{
    public const int Days = 3;
    public const int PerDay = 500_000;

    private static readonly string[] Tables = ["notifications", "notification_events", "notification_logs", "notification_outbox"];

    public static async Task<PhaseResult> RunAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("retention", cancellationToken);
        var today = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero);
        var oldDays = Enumerable.Range(0, Days).Select(i => today.AddDays(-40 + i)).ToArray();
        var seeding = Stopwatch.StartNew();
        var rows = await SeedAsync(context.Host.DataSource, tenant.TenantId, today, oldDays, cancellationToken);
        var seeded = seeding.Elapsed;
        await context.CheckpointAsync(cancellationToken);

        var spec = new LoadSpec(LoadMode.Open, context.Host.BaseAddress + "/api/notifications", tenant.Secret, context.Host.WebhookUrl,
            context.Options.Connections, context.Options.Rate, context.Options.WarmupSeconds, context.Options.DurationSeconds, context.RunId);
        Console.WriteLine("    intake alone…");
        var alone = await context.Client.RunAsync(spec, context.Probe, cancellationToken);

        Console.WriteLine("    intake while the retention job drops the old days…");
        var during = context.Client.RunAsync(spec, context.Probe, cancellationToken);
        // into the measured window: past the warm-up and a moment of steady load
        await Task.Delay(TimeSpan.FromSeconds(context.Options.WarmupSeconds + Math.Min(5, context.Options.DurationSeconds / 4.0)), cancellationToken);
        var job = new RetentionService(new Grains.Storage.Database(context.Host.DataSource), Options.Create(new RetentionOptions()),
            Options.Create(new StatusWebhookOptions()), TimeProvider.System, NullLogger<RetentionService>.Instance);
        var dropping = Stopwatch.StartNew();
        var run = await job.RunOnceAsync(cancellationToken) ?? throw new InvalidOperationException("the retention job's lock is held elsewhere");
        var dropTime = dropping.Elapsed;
        var withDrop = await during;

        var expected = oldDays.SelectMany(day => Tables.Select(t => $"{t}_p{day:yyyyMMdd}")).ToHashSet();
        if (!expected.SetEquals(run.Dropped))
        {
            throw new InvalidOperationException($"the job dropped {string.Join(", ", run.Dropped)}; expected {string.Join(", ", expected)}");
        }

        var details = new Dictionary<string, string>
        {
            ["data"] = string.Create(CultureInfo.InvariantCulture,
                $"{Days} days 40 days back, {rows:N0} rows ({Days * PerDay:N0} notifications, an event, an attempt and an idempotency key each), seeded in {seeded.TotalSeconds:N0} s"),
            ["the job's run, inside the measured window"] = string.Create(CultureInfo.InvariantCulture,
                $"{dropTime.TotalSeconds:N1} s; dropped {run.Dropped.Count} partitions in {run.DroppingPartitions.TotalMilliseconds:N0} ms, after deleting the days' idempotency keys in {run.DeletingRows.TotalSeconds:N1} s"),
            ["intake alone"] = Describe(alone),
            ["intake during the drop"] = Describe(withDrop),
            ["p99 during / alone"] = string.Create(CultureInfo.InvariantCulture, $"{withDrop.Result.Latency.P99 / alone.Result.Latency.P99:0.00}×"),
            ["max during / alone"] = string.Create(CultureInfo.InvariantCulture, $"{withDrop.Result.Latency.Max / alone.Result.Latency.Max:0.00}×"),
        };
        var r = withDrop.Result;
        return new PhaseResult(PhaseNames.Retention,
            $"REST intake at {context.Options.Rate}/s, open loop, while the retention job drops {Days} days of {PerDay:N0} notifications",
            "accepted/s", Math.Round(r.Ok / r.Seconds, 1), r.Ok, "request", r.Latency, r.Errors, withDrop.Cpu, details);
    }

    private static string Describe(ClientRun run) => string.Create(CultureInfo.InvariantCulture,
        $"{run.Result.Ok / run.Result.Seconds:0}/s accepted, p50 {run.Result.Latency.P50:0.0} ms, p99 {run.Result.Latency.P99:0.0} ms, max {run.Result.Latency.Max:0.0} ms, {run.Result.Errors.Values.Sum()} errors");

    /// <summary>
    /// Makes room for days 40 back (the migration's first partition covers everything before its
    /// tomorrow: it is detached, and attached again from the day after the seeded ones) and fills
    /// them. Answers the rows written.
    /// </summary>
    private static async Task<long> SeedAsync(
        NpgsqlDataSource dataSource, Guid tenantId, DateTimeOffset today, DateTimeOffset[] days, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var partitions = await RetentionService.ListAsync(connection, cancellationToken);
        var after = days[^1].AddDays(1);
        foreach (var table in Tables)
        {
            var first = partitions.Single(p => p.Table == table && p.Lower is null);
            await ExecuteAsync(connection, $"ALTER TABLE {table} DETACH PARTITION {first.Name}", cancellationToken);
            foreach (var day in days)
            {
                await ExecuteAsync(connection,
                    $"SELECT notifly_add_partition('{table}', '{table}_p{day:yyyyMMdd}', notifly_uuid_floor('{day:O}')::text, notifly_uuid_floor('{day.AddDays(1):O}')::text)",
                    cancellationToken);
            }

            await ExecuteAsync(connection,
                $"ALTER TABLE {table} ATTACH PARTITION {first.Name} FOR VALUES FROM ('{RetentionService.UuidFloor(after)}') TO ('{RetentionService.UuidFloor(first.Upper)}')",
                cancellationToken);
        }

        long rows = 0;
        foreach (var day in days)
        {
            Console.WriteLine($"    seeding {PerDay:N0} notifications on {day:yyyy-MM-dd}…");
            var steps = new[]
            {
                $"""
                CREATE TEMP TABLE seeded AS
                SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' || substr(r, 14, 3) || substr(r, 17, 16))::uuid AS id, n, at
                  FROM (SELECT g AS n, '{day:O}'::timestamptz + (g * interval '1 day' / {PerDay + 1}) AS at,
                               replace(gen_random_uuid()::text, '-', '') AS r
                          FROM generate_series(1, {PerDay}) g) AS s
                """,
                """
                INSERT INTO notifications (id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, channels,
                                           recipient, payload, status, deliveries, created_at, updated_at)
                SELECT id, $1, id, 'seed-' || id, '\x00', 'order.paid', 2, ARRAY['WEBHOOK'], '{"webhookUrl":"https://example.com/hook"}',
                       '{"n":1}', 'SENT', '[]', at, at
                  FROM seeded
                """,
                "INSERT INTO notification_idempotency (tenant_id, idempotency_key, notification_id) SELECT $1, 'seed-' || id, id FROM seeded",
                "INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at) SELECT $1, id, 'CREATED', '{\"status\":\"ACCEPTED\"}', at FROM seeded",
                """
                INSERT INTO notification_logs (tenant_id, notification_id, channel, attempt, status, latency_ms, provider, created_at)
                SELECT $1, id, 'WEBHOOK', 1, 'SENT', 20 + n % 200, 'webhook', at + interval '50 milliseconds' FROM seeded
                """,
                "DROP TABLE seeded",
            };
            foreach (var sql in steps)
            {
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                if (sql.Contains("$1", StringComparison.Ordinal))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
                }

                var written = await command.ExecuteNonQueryAsync(cancellationToken);
                rows += sql.StartsWith("INSERT", StringComparison.Ordinal) ? written : 0;
            }
        }

        // as autovacuum would have done on a live system in the forty days since
        await ExecuteAsync(connection, "VACUUM ANALYZE notifications, notification_events, notification_logs, notification_idempotency", cancellationToken);
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
