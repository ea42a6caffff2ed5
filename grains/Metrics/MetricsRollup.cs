using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Storage;
using Npgsql;

namespace Notifly.Grains.Metrics;

/// <summary>
/// Folds delivery attempts, status changes and dead letters into migration 0022's hourly tables,
/// so that <c>GET /api/admin/metrics</c> adds up hundreds of rows rather than millions
/// (docs/0027). Runs on every dispatching silo; the watermark row's lock lets one fold at a time,
/// and each fold moves the watermark in the same transaction as its rows.
/// </summary>
public sealed partial class MetricsRollup(Database database, ILogger<MetricsRollup> logger) : BackgroundService
{
    /// <summary>
    /// Facts younger than this are left to the requests: a turn's rows carry the time its silo
    /// stamped them, and commit a moment later, so the watermark stays this far behind to let
    /// every row stamped before it commit first.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    // one transaction folds at most an hour of facts, so catching up on a long history (a fresh
    // migration, a rebuild) holds no lock for long
    private static readonly TimeSpan Step = TimeSpan.FromHours(1);

    private const string ClaimSql =
        """
        SELECT CASE WHEN rolled_until = '-infinity'
                    THEN date_bin('1 hour', least((SELECT min(created_at) FROM notification_events),
                                                  (SELECT min(created_at) FROM notification_logs), now() - $1), 'epoch')
                    ELSE rolled_until END,
               now() - $1
          FROM metrics_rollup_progress
           FOR UPDATE
        """;

    private static readonly string[] FoldSql =
    [
        """
        INSERT INTO attempt_metrics_hourly AS m (tenant_id, hour, channel, status, error_code, latency_bucket, attempts, latency_sum_ms)
        SELECT * FROM notifly_attempt_facts($1, $2)
        ON CONFLICT (tenant_id, hour, channel, status, error_code, latency_bucket)
        DO UPDATE SET attempts = m.attempts + EXCLUDED.attempts, latency_sum_ms = m.latency_sum_ms + EXCLUDED.latency_sum_ms
        """,
        """
        INSERT INTO notification_status_hourly AS m (tenant_id, hour, status, notifications)
        SELECT * FROM notifly_status_facts($1, $2)
        ON CONFLICT (tenant_id, hour, status) DO UPDATE SET notifications = m.notifications + EXCLUDED.notifications
        """,
        """
        INSERT INTO dead_letter_hourly AS m (tenant_id, hour, channel, error_code, dead_letters)
        SELECT * FROM notifly_dead_letter_facts($1, $2)
        ON CONFLICT (tenant_id, hour, channel, error_code) DO UPDATE SET dead_letters = m.dead_letters + EXCLUDED.dead_letters
        """,
        "UPDATE metrics_rollup_progress SET rolled_until = $2",
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await CatchUpAsync(database, Grace, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL may be restarting; the watermark did not move, so the next round redoes this one
                LogFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Folds every fact stamped more than <paramref name="grace"/> ago; answers the watermark reached.</summary>
    public static async Task<DateTimeOffset> CatchUpAsync(Database database, TimeSpan grace, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (reached, done) = await FoldStepAsync(database, grace, cancellationToken);
            if (done)
            {
                return reached;
            }
        }
    }

    private static async Task<(DateTimeOffset Reached, bool Done)> FoldStepAsync(
        Database database, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        DateTimeOffset from, target;
        await using (var claim = new NpgsqlCommand(ClaimSql, connection, transaction).With(grace))
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (from, target) = (reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1));
        }

        if (target <= from)
        {
            return (from, true);
        }

        var until = from + Step < target ? from + Step : target;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var sql in FoldSql)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql).With(from).With(until));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (until, until == target);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Folding delivery facts into the dashboard's hourly metrics failed; retrying")]
    private partial void LogFailed(Exception ex);
}
