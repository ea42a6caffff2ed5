using System.Text;
using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Queries;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// A tenant's view of its status-webhook deliveries, and the two ways it queues one by hand
/// (redelivery, test ping). Tenant-scoped: another tenant's endpoint or delivery is not found.
/// </summary>
public static class WebhookDeliveryQueries
{
    private const string Columns =
        "d.id, d.endpoint_id, d.event_id, d.event_type, d.notification_id, d.status, d.attempt_count, d.next_attempt_at, " +
        "d.last_attempt_at, d.response_status, d.response_body, d.error, d.created_at, d.payload::text";

    /// <returns>null when the tenant has no such endpoint.</returns>
    public static async Task<Page<WebhookDeliveryView>?> ListAsync(
        TenantScope scope, Guid endpointId, WebhookDeliveryStatus? status, int limit, PageCursor? after, CancellationToken cancellationToken)
    {
        if (await EndpointActiveAsync(scope, endpointId, cancellationToken) is null)
        {
            return null;
        }

        var sql = new StringBuilder($"SELECT {Columns} FROM webhook_deliveries d WHERE d.endpoint_id = $1");
        await using var command = scope.Command("").With(endpointId);
        if (status is { } s)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = s.Name() });
            sql.Append($" AND d.status = ${command.Parameters.Count}");
        }

        if (after is { } position)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = position.CreatedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = position.Id });
            sql.Append($" AND (d.created_at, d.id) < (${command.Parameters.Count - 1}, ${command.Parameters.Count})");
        }

        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        sql.Append($" ORDER BY d.created_at DESC, d.id DESC LIMIT ${command.Parameters.Count}");
        command.CommandText = sql.ToString();

        return KeysetPage.Of(await ReadAsync(command, cancellationToken), limit, PagedList.WebhookDeliveries, d => new PageCursor(d.CreatedAt, d.Id));
    }

    /// <summary>At most this many deliveries of one notification are listed (8 events × 20 endpoints is 160).</summary>
    public const int MaxPerNotification = 500;

    /// <summary>The deliveries one notification caused, across the tenant's endpoints, oldest first.</summary>
    public static async Task<IReadOnlyList<WebhookDeliveryView>> ForNotificationAsync(
        TenantScope scope, Guid notificationId, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            $"SELECT {Columns} FROM webhook_deliveries d WHERE d.notification_id = $1 ORDER BY d.created_at, d.id LIMIT {MaxPerNotification}")
            .With(notificationId);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>
    /// Queues a finished delivery (succeeded or failed) for an attempt now, with a fresh retry
    /// schedule; its webhook-id stays, so a receiver that already has it can tell.
    /// </summary>
    public static async Task<Queued> RedeliverAsync(
        TenantScope scope, Guid endpointId, Guid deliveryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (await EndpointActiveAsync(scope, endpointId, cancellationToken))
        {
            case null:
                return new Queued.NotFound();
            case false:
                return new Queued.EndpointDisabled();
        }

        await using var command = scope.Command(
            $"""
            UPDATE webhook_deliveries d
               SET status = 'pending', next_attempt_at = $3, round_start = d.attempt_count
             WHERE d.id = $1 AND d.endpoint_id = $2 AND d.status IN ('succeeded', 'failed')
            RETURNING {Columns}
            """).With(deliveryId).With(endpointId).With(now);
        if ((await ReadAsync(command, cancellationToken)).SingleOrDefault() is { } view)
        {
            await WakeDispatchersAsync(scope, cancellationToken);
            return new Queued.Done(view);
        }

        await using var exists = scope.Command("SELECT 1 FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2").With(deliveryId).With(endpointId);
        return await exists.ExecuteScalarAsync(cancellationToken) is null ? new Queued.NotFound() : new Queued.AlreadyQueued();
    }

    /// <summary>Queues a <c>webhook.test</c> ping to the endpoint, whatever it subscribes to.</summary>
    public static async Task<Queued> PingAsync(TenantScope scope, Guid endpointId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (await EndpointActiveAsync(scope, endpointId, cancellationToken))
        {
            case null:
                return new Queued.NotFound();
            case false:
                return new Queued.EndpointDisabled();
        }

        await using var command = scope.Command(
            $"""
            WITH ping AS (SELECT gen_random_uuid() AS id)
            INSERT INTO webhook_deliveries AS d (id, tenant_id, endpoint_id, event_id, event_type, payload, next_attempt_at, created_at)
            SELECT ping.id, $2, $1, ping.id, '{StatusWebhookEvents.Test}',
                   jsonb_build_object('type', '{StatusWebhookEvents.Test}', 'timestamp', $3::timestamptz,
                                      'data', jsonb_build_object('endpointId', $1::uuid, 'tenantId', $2::uuid)),
                   $3, $3
              FROM ping
            RETURNING {Columns}
            """).With(endpointId).With(scope.TenantId).With(now);
        var view = (await ReadAsync(command, cancellationToken)).Single();
        await WakeDispatchersAsync(scope, cancellationToken);
        return new Queued.Done(view);
    }

    /// <returns>null when not found; otherwise whether it is active.</returns>
    private static async Task<bool?> EndpointActiveAsync(TenantScope scope, Guid endpointId, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT is_active FROM webhook_endpoints WHERE id = $1").With(endpointId);
        return await command.ExecuteScalarAsync(cancellationToken) is bool active ? active : null;
    }

    private static async Task WakeDispatchersAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var notify = scope.Command($"SELECT pg_notify('{PostgresChannels.WebhookDeliveries}', '')");
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<WebhookDeliveryView>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var items = new List<WebhookDeliveryView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var payload = JsonDocument.Parse(reader.GetString(13));
            items.Add(new WebhookDeliveryView(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4),
                DeliveryStatusNames.Parse(reader.GetString(5)),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.GetFieldValue<DateTimeOffset>(12),
                payload.RootElement.Clone()));
        }

        return items;
    }
}
