using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Npgsql;

namespace Notifly.Bench.Phases;

/// <summary>
/// The dashboard's reads on a big tenant (issue 12: "well under a second on a tenant with a million
/// notifications"). One tenant gets a million notifications and a million delivery attempts over
/// the last seven days, written straight into PostgreSQL; then each of <see cref="Queries"/> is
/// asked through the REST API, one at a time, and its latency reported.
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
                $"{Notifications:N0} notifications and as many attempts over 7 days, seeded in {seeded.TotalSeconds:N0} s"),
        };
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
                if (!csv && i == 0 && JsonDocument.Parse(body).RootElement.GetProperty("items").GetArrayLength() == 0)
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

    /// <summary>Writes the tenant's history straight into the tables; returns one of its request ids.</summary>
    private static async Task<Guid> SeedAsync(string connectionString, Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        string[] steps =
        [
            $"""
            CREATE TEMP TABLE seeded AS
            SELECT gen_random_uuid() AS id, g AS n, now() - (g * interval '7 days' / {Notifications}) AS at
              FROM generate_series(1, {Notifications}) g
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
            "ANALYZE notifications",
            "ANALYZE notification_logs",
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
