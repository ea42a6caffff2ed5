using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Recipients;

/// <summary>
/// The preference decision, taken inside the intake transaction so it is stored with the
/// notification (docs/0009): a channel the user turned off, for this event type or (when no
/// event-type row names it) for the channel as a whole, becomes a SKIPPED delivery.
/// </summary>
public static class OptOuts
{
    /// <summary>One query for every request of the batch that names a userId; null per request without one or without opt-outs.</summary>
    public static async Task<Channel[]?[]> SkippedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(Guid TenantId, ValidatedRequest Request)> items,
        CancellationToken cancellationToken)
    {
        var skipped = new Channel[]?[items.Count];
        var asking = Enumerable.Range(0, items.Count).Where(i => items[i].Request.UserId is not null).ToArray();
        if (asking.Length == 0)
        {
            return skipped;
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT u.n, array_agg(c.channel)
              FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[]) AS u(n, tenant_id, user_id, event_type)
              JOIN LATERAL (
                  SELECT DISTINCT ON (p.channel) p.channel, p.is_enabled
                    FROM user_channel_preferences p
                   WHERE p.tenant_id = u.tenant_id AND p.user_id = u.user_id AND p.event_type IN ('', u.event_type)
                   -- the event type's own row, when there is one, decides over the channel-wide row
                   ORDER BY p.channel, p.event_type DESC
              ) c ON NOT c.is_enabled
             GROUP BY u.n
            """, connection, transaction)
            .With(asking)
            .With(asking.Select(i => items[i].TenantId).ToArray())
            .With(asking.Select(i => items[i].Request.UserId!).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .With(asking.Select(i => items[i].Request.EventType).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var n = reader.GetInt32(0);
            var off = reader.GetFieldValue<string[]>(1).Select(name => Wire.TryParseChannel(name, out var c) ? c : (Channel?)null).ToHashSet();
            var channels = items[n].Request.Channels.Where(c => off.Contains(c)).ToArray();
            skipped[n] = channels.Length > 0 ? channels : null;
        }

        return skipped;
    }
}
