using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;
using Npgsql;

namespace Notifly.Grains.Retention;

/// <summary>
/// A tenant's own, shorter retention (<c>retention.days</c>, migration 0028, docs/0035): row
/// deletes inside the days that <see cref="RetentionService"/> keeps, run by it after its drops.
/// </summary>
internal static partial class TenantRetention
{
    // Notifications per statement of a tenant's own retention: each takes its rows in six tables.
    private const int TrimChunk = 1_000;

    // A tenant's final notifications older than its retention, and every row that belongs to them.
    // Children are found by their partition key, so each probe reaches one partition.
    private const string TrimSql =
        """
        WITH doomed AS MATERIALIZED (
            SELECT n.id FROM notifications n
             WHERE n.tenant_id = $1 AND n.created_at < $2
               AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.grain_id = n.id AND r.kind = 'notification')
               AND NOT EXISTS (SELECT 1 FROM notification_outbox o WHERE o.notification_id = n.id AND o.sent_at IS NULL)
             ORDER BY n.created_at
             LIMIT $3
        ), events AS (
            DELETE FROM notification_events e USING doomed d WHERE e.notification_id = d.id
        ), logs AS (
            DELETE FROM notification_logs l USING doomed d WHERE l.notification_id = d.id
        ), outbox AS (
            DELETE FROM notification_outbox o USING doomed d WHERE o.notification_id = d.id
        ), keys AS (
            DELETE FROM notification_idempotency k USING doomed d WHERE k.notification_id = d.id
        ), dead_letters AS (
            DELETE FROM failed_notifications f USING doomed d WHERE f.notification_id = d.id
        ), deliveries AS (
            DELETE FROM webhook_deliveries w USING doomed d WHERE w.notification_id = d.id
        ), gone AS (
            DELETE FROM notifications n USING doomed d WHERE n.id = d.id RETURNING 1
        )
        SELECT count(*) FROM gone
        """;

    /// <summary>
    /// Tenant by tenant, deletes the final notifications older than a tenant's own, shorter
    /// retention (<c>retention.days</c> of its settings), with every row that belongs to them, a
    /// thousand at a time. Partitions are shared, so this is row deletes; the days they lived in
    /// go whole at the deployment's retention as usual.
    /// </summary>
    public static async Task<long> TrimAsync(
        NpgsqlConnection connection, TimeSpan deploymentRetention, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        var tenants = new List<(Guid Id, int Days)>();
        await using (var command = new NpgsqlCommand("SELECT id, retention_days FROM tenants WHERE retention_days < $1 ORDER BY id", connection)
                         .With((int)Math.Ceiling(deploymentRetention.TotalDays)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                tenants.Add((reader.GetGuid(0), reader.GetInt32(1)));
            }
        }

        long total = 0;
        foreach (var (tenant, days) in tenants)
        {
            var trimming = Stopwatch.StartNew();
            long deleted = 0;
            long chunk;
            do
            {
                var statement = Stopwatch.StartNew();
                await using var command = new NpgsqlCommand(TrimSql, connection) { CommandTimeout = 0 }
                    .With(tenant).With(now - TimeSpan.FromDays(days)).With(TrimChunk);
                chunk = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
                deleted += chunk;
                await RetentionService.YieldToIntakeAsync(statement.Elapsed, chunk == TrimChunk, cancellationToken);
            }
            while (chunk == TrimChunk);

            if (deleted > 0)
            {
                NotiflyMetrics.TenantRetentionDeleted.Add(deleted);
                LogTrimmed(logger, deleted, tenant, days, trimming.ElapsedMilliseconds);
            }

            total += deleted;
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} notifications of tenant {TenantId} older than its retention of {Days} days in {ElapsedMs} ms")]
    private static partial void LogTrimmed(ILogger logger, long count, Guid tenantId, int days, long elapsedMs);
}
