using Notifly.Grains.Storage;

namespace Notifly.Grains.Queries;

/// <summary>A notification of the tenant was created or changed status.</summary>
public sealed record StatusChange(long Id, Guid RequestId, string Status, DateTimeOffset At);

/// <summary>
/// The tenant's recent status changes, for the dashboard's live view: read from the audit
/// events (RLS-scoped) rather than pushed by the writers, so that the hot path pays nothing and
/// the cost grows with the dashboards watching, not with the traffic.
/// </summary>
public static class StatusFeed
{
    /// <summary>At most this many changes per read; a feed that finds as many tells its client to reload instead.</summary>
    public const int MaxPerRead = 500;

    public static async Task<IReadOnlyList<StatusChange>> RecentAsync(TenantScope scope, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            SELECT id, notification_id, coalesce(details ->> 'to', details ->> 'status'), created_at
              FROM notification_events
             WHERE created_at >= now() - $1 AND event IN ('CREATED', 'STATUS_CHANGED')
             ORDER BY created_at, id
             LIMIT $2
            """).With(window).With(MaxPerRead);
        var changes = new List<StatusChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new StatusChange(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return changes;
    }
}
