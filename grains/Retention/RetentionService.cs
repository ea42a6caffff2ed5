using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Grains.Observability;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;
using Npgsql;

namespace Notifly.Grains.Retention;

/// <summary>
/// Keeps the day-partitioned tables of migration 0027 in shape (docs/0035): creates each table's
/// partitions <see cref="RetentionOptions.DaysAhead"/> days ahead, and drops a whole day once it is
/// past its retention and nothing in it is pending, with <c>DETACH PARTITION ... CONCURRENTLY</c>
/// so that writers never wait for it. A day is dropped in all the tables that share it at once.
/// A tenant with a shorter retention of its own has its older notifications deleted row by row.
/// Runs on every dispatching silo; a session advisory lock lets one node at a time do the work.
/// </summary>
public sealed partial class RetentionService(
    Database database,
    IOptions<RetentionOptions> options,
    IOptions<StatusWebhookOptions> statusWebhooks,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    // Distinct from the migrator's key.
    private const long AdvisoryLockKey = 0x4E6F7469_666C7952;

    private const int DeleteChunk = 10_000;

    /// <summary>The notifications and the rows that belong to them, partitioned by the notification's id.</summary>
    public static readonly DaySet Notifications =
        new("notifications", ["notification_events", "notification_logs", "notification_outbox", "notifications"], ById: true);

    /// <summary>Status-webhook deliveries, partitioned by their creation time.</summary>
    public static readonly DaySet WebhookDeliveries = new("webhook_deliveries", ["webhook_deliveries"], ById: false);

    private readonly RetentionOptions _options = options.Value;

    // Where one run's time went; a service runs one run at a time.
    private TimeSpan _deleting;
    private TimeSpan _dropping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the first run must not hold up the host's start
        using var timer = new PeriodicTimer(_options.Interval);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL may be restarting; a detach left half done is finished by the next run
                NotiflyMetrics.CountDatabaseError(ex);
                LogFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>
    /// One run: finishes interrupted detaches, creates what is missing ahead, drops what is due.
    /// Answers null when another node holds the job's lock (only the gauges are refreshed then).
    /// </summary>
    public async Task<RetentionRun?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = time.GetUtcNow();
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_try_advisory_lock({AdvisoryLockKey})", connection))
        {
            if (await lockCommand.ExecuteScalarAsync(cancellationToken) is not true)
            {
                RecordGauges(await ListAsync(connection, cancellationToken), now, overdue: null);
                return null;
            }
        }

        try
        {
            (_deleting, _dropping) = (TimeSpan.Zero, TimeSpan.Zero);
            var partitions = await ListAsync(connection, cancellationToken);
            foreach (var pending in partitions.Where(p => p.DetachPending))
            {
                await DropAsync(connection, pending, finalize: true, cancellationToken);
            }

            var created = new List<string>();
            foreach (var set in new[] { Notifications, WebhookDeliveries })
            {
                foreach (var table in set.Tables)
                {
                    created.AddRange(await CreateAheadAsync(connection, set, table, partitions, now, cancellationToken));
                }
            }

            var dropped = new List<string>();
            var overdue = 0;
            foreach (var (set, retention) in new[] { (Notifications, _options.Notifications), (WebhookDeliveries, statusWebhooks.Value.Retention) })
            {
                var (droppedHere, kept) = await DropDueAsync(connection, set, partitions, now - retention, cancellationToken);
                dropped.AddRange(droppedHere);
                overdue += kept;
            }

            var trimmed = await TenantRetention.TrimAsync(connection, _options.Notifications, now, logger, cancellationToken);
            RecordGauges(await ListAsync(connection, cancellationToken), now, overdue);
            return new RetentionRun(created, dropped, overdue, _deleting, _dropping, trimmed);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>The partitions of every partitioned table of the sets, with the instants their bounds stand for.</summary>
    public static async Task<List<Partition>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT p.relname, c.relname, i.inhdetachpending, notifly_partition_bound(b[1]), notifly_partition_bound(b[2])
              FROM pg_inherits i
              JOIN pg_class c ON c.oid = i.inhrelid
              JOIN pg_class p ON p.oid = i.inhparent
             CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \((.*)\) TO \((.*)\)') AS b
             WHERE p.relname = ANY($1) AND p.relnamespace = current_schema()::regnamespace
             ORDER BY 5
            """, connection).With(Notifications.Tables.Concat(WebhookDeliveries.Tables).ToArray());
        var partitions = new List<Partition>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            partitions.Add(new Partition(
                reader.GetString(0), reader.GetString(1), reader.GetBoolean(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return partitions;
    }

    private async Task<List<string>> CreateAheadAsync(
        NpgsqlConnection connection, DaySet set, string table, List<Partition> partitions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        for (var day = today; day <= today.AddDays(_options.DaysAhead); day = day.AddDays(1))
        {
            var start = day;
            if (partitions.Any(p => p.Table == table && !p.DetachPending && (p.Lower is null || p.Lower <= start) && p.Upper > start))
            {
                continue;
            }

            var name = $"{table}_p{day:yyyyMMdd}";
            var bound = set.ById ? "notifly_uuid_floor($3)::text" : "$3::text";
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // Attaching waits for the parent's SHARE UPDATE EXCLUSIVE lock, which only another
            // ALTER or a VACUUM holds; better to try again next run than to wait behind them.
            await using (var timeout = new NpgsqlCommand("SET LOCAL lock_timeout = '5s'", connection, transaction))
            {
                await timeout.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var command = new NpgsqlCommand(
                $"SELECT notifly_add_partition($1::regclass, $2, {bound}, {bound.Replace("$3", "$4")})", connection, transaction)
                .With(table).With(name).With(day).With(day.AddDays(1)))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            created.Add(name);
            partitions.Add(new Partition(table, name, false, day, day.AddDays(1)));
            LogCreated(name);
        }

        return created;
    }

    private async Task<(List<string> Dropped, int Kept)> DropDueAsync(
        NpgsqlConnection connection, DaySet set, List<Partition> partitions, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        var kept = 0;
        var days = partitions.Where(p => p.Table == set.Main && !p.DetachPending && p.Upper <= cutoff).OrderBy(p => p.Upper).ToList();
        foreach (var day in days)
        {
            var pending = await PendingAsync(connection, set, day, cancellationToken);
            if (pending > 0)
            {
                kept++;
                LogKept(set.Main, day.Name, pending);
                continue;
            }

            if (set.ById)
            {
                var deleting = Stopwatch.StartNew();
                var (keys, deadLetters) = await DeleteOwnedRowsAsync(connection, day, cancellationToken);
                _deleting += deleting.Elapsed;
                LogDeleted(keys, deadLetters, day.Name, deleting.ElapsedMilliseconds);
            }

            // The main table last: a run cut short leaves it, and the next run finds the day again.
            foreach (var table in set.Tables)
            {
                foreach (var partition in partitions.Where(p => p.Table == table && !p.DetachPending && p.Upper == day.Upper && p.Lower == day.Lower))
                {
                    await DropAsync(connection, partition, finalize: false, cancellationToken);
                    dropped.Add(partition.Name);
                }
            }
        }

        return (dropped, kept);
    }

    /// <summary>
    /// What in a day is not finished: for notifications, a reminder (every notification that is
    /// not final has one) or an outbox row not yet published; for status-webhook deliveries, one
    /// still pending or retrying. The dashboard's hourly rollups keep their counts after the drop.
    /// </summary>
    private static async Task<long> PendingAsync(NpgsqlConnection connection, DaySet set, Partition day, CancellationToken cancellationToken)
    {
        await using var command = set.ById
            ? new NpgsqlCommand(
                """
                SELECT (SELECT count(*) FROM reminders WHERE kind = 'notification' AND grain_id >= $1 AND grain_id < $2)
                     + (SELECT count(*) FROM notification_outbox WHERE sent_at IS NULL AND notification_id >= $1 AND notification_id < $2)
                """, connection).With(day.Lower is { } lower ? UuidFloor(lower) : Guid.Empty).With(UuidFloor(day.Upper))
            : new NpgsqlCommand(
                """
                SELECT count(*) FROM webhook_deliveries
                 WHERE status IN ('pending', 'retrying') AND created_at >= $1 AND created_at < $2
                """, connection).With(day.Lower ?? DateTimeOffset.UnixEpoch).With(day.Upper);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Deletes the day's idempotency keys and dead letters before its partitions go: a key outlives
    /// its notification for no moment in which a replay would find the key but not what it made.
    /// </summary>
    private static async Task<(long Keys, long DeadLetters)> DeleteOwnedRowsAsync(
        NpgsqlConnection connection, Partition day, CancellationToken cancellationToken)
    {
        var counts = new long[2];
        var lower = day.Lower is { } l ? UuidFloor(l) : Guid.Empty;
        var upper = UuidFloor(day.Upper);
        foreach (var sql in new[]
                 {
                     """
                     DELETE FROM notification_idempotency WHERE (tenant_id, idempotency_key) IN (
                         SELECT tenant_id, idempotency_key FROM notification_idempotency
                          WHERE notification_id >= $1 AND notification_id < $2 LIMIT $3)
                     """,
                     """
                     DELETE FROM failed_notifications WHERE id IN (
                         SELECT id FROM failed_notifications WHERE notification_id >= $1 AND notification_id < $2 LIMIT $3)
                     """,
                 }.Index())
        {
            int deleted;
            do
            {
                var chunk = Stopwatch.StartNew();
                await using var command = new NpgsqlCommand(sql.Item, connection).With(lower).With(upper).With(DeleteChunk);
                deleted = await command.ExecuteNonQueryAsync(cancellationToken);
                counts[sql.Index] += deleted;
                await YieldToIntakeAsync(chunk.Elapsed, deleted == DeleteChunk, cancellationToken);
            }
            while (deleted == DeleteChunk);
        }

        return (counts[0], counts[1]);
    }

    /// <summary>
    /// Row deletes are the job's only heavy work (dropping a day's partitions takes milliseconds):
    /// after each chunk, when more follow, it waits as long as the chunk took, so that it uses at
    /// most half of one core and requests keep the rest. On the benchmark's 2 cores that halved
    /// intake's p99 during a drop (BENCHMARKS.md, "Retention").
    /// </summary>
    internal static Task YieldToIntakeAsync(TimeSpan chunk, bool more, CancellationToken cancellationToken) =>
        more ? Task.Delay(chunk, cancellationToken) : Task.CompletedTask;

    private async Task DropAsync(NpgsqlConnection connection, Partition partition, bool finalize, CancellationToken cancellationToken)
    {
        // CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE on the parent: intake and turns go on. It
        // runs as two transactions; if this node dies between them the partition is left "detach
        // pending", which the next run finishes with FINALIZE.
        var dropping = Stopwatch.StartNew();
        var detach = $"ALTER TABLE {Quote(partition.Table)} DETACH PARTITION {Quote(partition.Name)} {(finalize ? "FINALIZE" : "CONCURRENTLY")}";
        await using (var command = new NpgsqlCommand(detach, connection) { CommandTimeout = 0 })
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand($"DROP TABLE {Quote(partition.Name)}", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        _dropping += dropping.Elapsed;
        NotiflyMetrics.PartitionsDropped.Add(1, new KeyValuePair<string, object?>("table", partition.Table));
        LogDropped(partition.Name, partition.Upper, dropping.ElapsedMilliseconds);
    }

    private void RecordGauges(List<Partition> partitions, DateTimeOffset now, int? overdue)
    {
        var tables = Notifications.Tables.Concat(WebhookDeliveries.Tables);
        var daysAhead = tables.Min(table =>
            partitions.Where(p => p.Table == table && !p.DetachPending).Select(p => (p.Upper - now).TotalDays).DefaultIfEmpty(0).Max());
        NotiflyMetrics.RecordPartitions(Math.Max(0, daysAhead), overdue ?? 0);
    }

    /// <summary>The smallest UUIDv7 of <paramref name="at"/>, as migration 0027's notifly_uuid_floor.</summary>
    public static Guid UuidFloor(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = at.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)milliseconds;
            milliseconds >>= 8;
        }

        return new Guid(bytes, bigEndian: true);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Created partition {Partition}")]
    private partial void LogCreated(string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped partition {Partition}, which held rows up to {Upper:u}, in {ElapsedMs} ms")]
    private partial void LogDropped(string partition, DateTimeOffset upper, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Keys} idempotency keys and {DeadLetters} dead letters of the day of {Partition} in {ElapsedMs} ms")]
    private partial void LogDeleted(long keys, long deadLetters, string partition, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kept {Table} partition {Partition} past its retention: {Pending} of its rows are still pending")]
    private partial void LogKept(string table, string partition, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "The retention job failed; it runs again at its next interval")]
    private partial void LogFailed(Exception ex);
}

/// <summary>Tables partitioned by the same days and dropped together; <see cref="Main"/> is the one whose days are judged.</summary>
public sealed record DaySet(string Main, string[] Tables, bool ById);

/// <summary>One partition, with the instants its bounds stand for (<see cref="Lower"/> null: from the beginning).</summary>
public sealed record Partition(string Table, string Name, bool DetachPending, DateTimeOffset? Lower, DateTimeOffset Upper);

/// <summary>
/// What one run of the retention job did: partitions created and dropped, days kept for pending
/// work, how long it spent deleting the dropped days' keys and dead letters and detaching and
/// dropping their partitions, and the notifications deleted for tenants' own retention.
/// </summary>
public sealed record RetentionRun(
    IReadOnlyList<string> Created, IReadOnlyList<string> Dropped, int KeptPastRetention, TimeSpan DeletingRows,
    TimeSpan DroppingPartitions, long TenantNotificationsDeleted);
