using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Notifly.Grains.Metrics;
using Npgsql;

namespace Notifly.Bench.Phases;

/// <summary>
/// The dashboard's reads on a big tenant (issue 12: "well under a second on a tenant with a million
/// notifications"). One tenant gets a million notifications, a million delivery attempts and their
/// events over the last seven days, written straight into PostgreSQL; the metrics' rollup folds
/// them; then each of <see cref="Queries"/> is asked through the REST API, one at a time, and its
/// latency reported.
/// </summary>
public static class AdminQueriesPhase
{
    public const int Notifications = 1_000_000;
    private const int Repeats = 20;

    private static readonly (string Name, string Query, bool Csv)[] Queries =
    [
        ("logs, first page", "/api/admin/logs?limit=50", false),
        ("logs, FAILED only", "/api/admin/logs?status=FAILED&limit=50", false),
        ("logs, a rare event type", "/api/admin/logs?eventType=invoice.overdue&limit=50", false),
        ("logs, one request", "/api/admin/logs?requestId={request}", false),
        ("logs, an hour three days ago", "/api/admin/logs?from={from}&to={to}&limit=50", false),
        ("logs, that hour as CSV", "/api/admin/logs?from={from}&to={to}", true),
        ("metrics, 24h", "/api/admin/metrics?window=24h", false),
        ("metrics, 7d", "/api/admin/metrics?window=7d", false),
        ("metrics, 30d", "/api/admin/metrics?window=30d", false),
    ];

    public static async Task<PhaseResult> RunAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("admin", cancellationToken);
        var seeding = Stopwatch.StartNew();
        var request = await SeedAsync(context.Host.ConnectionString, tenant.TenantId, cancellationToken);
        var seeded = seeding.Elapsed;

        using var http = new HttpClient { BaseAddress = new Uri(context.Host.BaseAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Secret);
        var hour = DateTimeOffset.UtcNow.AddDays(-3);
        var details = new Dictionary<string, string>
        {
            ["data"] = string.Create(CultureInfo.InvariantCulture,
                $"{Notifications:N0} notifications, as many attempts and their events over 7 days, seeded in {seeded.TotalSeconds:N0} s"),
        };

        // What a request would cost if the rollup job had folded nothing (once: it is slow), then
        // the fold a node's job does, all seven days of it at once as after a fresh migration.
        var unfolded = Stopwatch.StartNew();
        (await http.GetAsync("/api/admin/metrics?window=7d", cancellationToken)).EnsureSuccessStatusCode();
        details["metrics, 7d, nothing folded (once)"] = string.Create(CultureInfo.InvariantCulture, $"{unfolded.Elapsed.TotalMilliseconds:N0} ms");
        await using (var dataSource = NpgsqlDataSource.Create(context.Host.ConnectionString))
        {
            var folding = Stopwatch.StartNew();
            await MetricsRollup.CatchUpAsync(new Grains.Storage.Database(dataSource), MetricsRollup.Grace, cancellationToken);
            details["rollup of the seven days"] = string.Create(CultureInfo.InvariantCulture, $"{folding.Elapsed.TotalSeconds:N1} s");
        }

        var all = new List<long>();
        var worst = 0.0;
        var cpuFirst = context.Probe.Sample(null);
        var clock = Stopwatch.StartNew();
        foreach (var (name, template, csv) in Queries)
        {
            var path = template.Replace("{request}", request.ToString(), StringComparison.Ordinal)
                .Replace("{from}", Uri.EscapeDataString(hour.ToString("O")), StringComparison.Ordinal)
                .Replace("{to}", Uri.EscapeDataString(hour.AddHours(1).ToString("O")), StringComparison.Ordinal);
            var ticks = new long[Repeats];
            long bytes = 0;
            for (var i = 0; i < Repeats; i++)
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, path);
                if (csv)
                {
                    message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
                }

                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(message, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                ticks[i] = Stopwatch.GetElapsedTime(started).Ticks;
                response.EnsureSuccessStatusCode();
                bytes = body.Length;
                if (!csv && i == 0 && IsEmpty(JsonDocument.Parse(body).RootElement))
                {
                    throw new InvalidOperationException($"{name}: no rows, so the query measured nothing");
                }
            }

            all.AddRange(ticks);
            var summary = LatencySummary.Of(ticks);
            worst = Math.Max(worst, summary.P99);
            details[name] = string.Create(CultureInfo.InvariantCulture,
                $"p50 {summary.P50:N1} ms, p99 {summary.P99:N1} ms ({bytes:N0} bytes)");
        }

        var cpu = context.Probe.Sample(null).Since(cpuFirst);
        details["headline"] = string.Create(CultureInfo.InvariantCulture, $"the slowest query's p99: {worst:N1} ms");
        return new PhaseResult(PhaseNames.AdminQueries,
            $"Dashboard reads on a tenant with {Notifications:N0} notifications: each query {Repeats} times, one at a time",
            "queries/s", Math.Round(all.Count / clock.Elapsed.TotalSeconds, 1), all.Count, "each query, end to end",
            LatencySummary.Of(all.ToArray()), new Dictionary<string, long>(), cpu, details);
    }

    private static bool IsEmpty(JsonElement answer) =>
        answer.TryGetProperty("items", out var items) ? items.GetArrayLength() == 0 : answer.GetProperty("totals").GetProperty("attempts").GetInt64() == 0;

    /// <summary>Writes the tenant's history straight into the tables; returns one of its request ids.</summary>
    private static async Task<Guid> SeedAsync(string connectionString, Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // ids as intake makes them: UUIDv7 stamped with the creation time (the metrics' rollup reads it)
        string[] steps =
        [
            $"""
            CREATE TEMP TABLE seeded AS
            SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7' || substr(r, 14, 3) || substr(r, 17, 16))::uuid AS id,
                   n, at
              FROM (SELECT g AS n, now() - (g * interval '7 days' / {Notifications}) AS at, replace(gen_random_uuid()::text, '-', '') AS r
                      FROM generate_series(1, {Notifications}) g) AS s
            """,
            """
            INSERT INTO notifications (id, tenant_id, correlation_id, payload_hash, event_type, priority, channels, recipient, payload,
                                       status, deliveries, created_at, updated_at)
            SELECT id, $1, id, '\x00', CASE WHEN n % 100 = 0 THEN 'invoice.overdue' ELSE 'order.paid' END, 2, ARRAY['WEBHOOK'],
                   '{"webhookUrl":"https://example.com/hook"}', '{"n":1}', CASE WHEN n % 10 = 0 THEN 'FAILED' ELSE 'SENT' END, '[]', at, at
              FROM seeded
            """,
            """
            INSERT INTO notification_logs (tenant_id, notification_id, channel, attempt, status, latency_ms, error_code, provider, created_at)
            SELECT $1, id, 'WEBHOOK', 1, CASE WHEN n % 10 = 0 THEN 'FAILED' ELSE 'SENT' END, 20 + n % 200,
                   CASE WHEN n % 10 = 0 THEN 'HTTP_500' END, 'webhook', at + interval '50 milliseconds'
              FROM seeded
            """,
            // the events the dispatcher would have written: created, picked up, then sent or failed;
            // a failure is dead-lettered
            """
            INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
            SELECT $1, s.id, e.event, e.details, s.at + e.after
              FROM seeded s
             CROSS JOIN LATERAL (VALUES
                   ('CREATED', '{"status":"ACCEPTED"}'::jsonb, interval '0'),
                   ('STATUS_CHANGED', '{"from":"ACCEPTED","to":"PROCESSING"}', interval '10 milliseconds'),
                   ('STATUS_CHANGED', jsonb_build_object('from', 'PROCESSING', 'to', CASE WHEN s.n % 10 = 0 THEN 'FAILED' ELSE 'SENT' END),
                    interval '50 milliseconds'),
                   ('DEAD_LETTERED', '{"channel":"WEBHOOK","errorCode":"HTTP_500","reason":"PERMANENT_FAILURE"}', interval '50 milliseconds')
               ) AS e (event, details, after)
             WHERE e.event <> 'DEAD_LETTERED' OR s.n % 10 = 0
            """,
            // as autovacuum keeps them on a live system: the time indexes' ranges summarised (BRIN)
            "VACUUM ANALYZE notification_events",
            "VACUUM ANALYZE notifications",
            "VACUUM ANALYZE notification_logs",
        ];
        foreach (var step in steps)
        {
            await using var seed = new NpgsqlCommand(step, connection) { CommandTimeout = 600 };
            if (step.Contains("$1", StringComparison.Ordinal))
            {
                seed.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            }

            await seed.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var one = new NpgsqlCommand("SELECT id FROM seeded WHERE n = $1", connection);
        one.Parameters.Add(new NpgsqlParameter { Value = Notifications / 2 });
        return (Guid)(await one.ExecuteScalarAsync(cancellationToken))!;
    }
}
