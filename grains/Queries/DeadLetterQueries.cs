using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Queries;

/// <summary>The tenant's dead-letter queue (RLS-scoped like every tenant read).</summary>
public static class DeadLetterQueries
{
    /// <summary>Open entries newest first; with <paramref name="notificationId"/>, that notification's only (an index probe).</summary>
    public static async Task<Page<DeadLetterView>> ListAsync(
        TenantScope scope, int limit, PageCursor? after, CancellationToken cancellationToken, Guid? notificationId = null)
    {
        // Spelled out rather than "$5 IS NULL OR …", which a generic plan could not answer from the index.
        var ofNotification = notificationId is null ? "" : "AND f.notification_id = $5";
        await using var command = scope.Command(
            $"""
            SELECT f.id, f.notification_id, f.channel, f.error_code, f.error_message, f.attempts, f.manual_retry_count, n.event_type, f.created_at
              FROM failed_notifications f JOIN notifications n ON n.id = f.notification_id
             WHERE f.status = 'OPEN' AND (NOT $1 OR (f.created_at, f.id) < ($2, $3)) {ofNotification}
             ORDER BY f.created_at DESC, f.id DESC
             LIMIT $4
            """).With(after is not null).With(after?.CreatedAt ?? default).With(after?.Id ?? default).With(limit + 1);
        if (notificationId is { } id)
        {
            command.With(id);
        }

        var items = new List<DeadLetterView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new DeadLetterView(reader.GetGuid(0), reader.GetGuid(1), Wire.ParseChannel(reader.GetString(2)),
                    reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.GetInt32(6),
                    reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8)));
            }
        }

        return KeysetPage.Of(items, limit, PagedList.DeadLetters, e => new PageCursor(e.CreatedAt, e.Id));
    }

    /// <summary>An open entry's notification and channel; null when the tenant has none with that id.</summary>
    public static Task<(Guid NotificationId, Channel Channel)?> FindOpenAsync(TenantScope scope, Guid id, CancellationToken cancellationToken) =>
        OpenAsync(scope, id, "", cancellationToken);

    /// <summary>Locks an open entry for retry or deletion; null when the tenant has none with that id.</summary>
    public static Task<(Guid NotificationId, Channel Channel)?> LockOpenAsync(TenantScope scope, Guid id, CancellationToken cancellationToken) =>
        OpenAsync(scope, id, "FOR UPDATE", cancellationToken);

    private static async Task<(Guid NotificationId, Channel Channel)?> OpenAsync(
        TenantScope scope, Guid id, string locking, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            $"SELECT notification_id, channel FROM failed_notifications WHERE id = $1 AND status = 'OPEN' {locking}").With(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetGuid(0), Wire.ParseChannel(reader.GetString(1))) : null;
    }

    public static async Task MarkRetriedAsync(TenantScope scope, Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            "UPDATE failed_notifications SET status = 'RETRIED', manual_retry_count = manual_retry_count + 1, updated_at = $2 WHERE id = $1")
            .With(id).With(now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task DeleteAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("DELETE FROM failed_notifications WHERE id = $1").With(id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
