using System.Text;
using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Queries;

/// <summary>
/// Reads for the API. Every query runs in a tenant scope and names no tenant: Row Level
/// Security is what keeps tenants apart here, so a forgotten filter cannot leak.
/// </summary>
public static class NotificationQueries
{
    private const string ViewColumns =
        "n.id, n.correlation_id, n.event_type, n.status, n.priority, n.channels, n.user_id, n.idempotency_key, n.send_at, n.created_at, n.updated_at, n.expires_at";

    public static async Task<NotificationDetails?> GetAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        NotificationView view;
        NotificationContent content;
        DeliveryState[] deliveries;
        await using (var command = scope.Command(
            $"""
            SELECT {ViewColumns}, n.deliveries::text, n.recipient::text, n.subject, n.body, n.body_html, n.payload::text, n.template::text
              FROM notifications n WHERE n.id = $1
            """).With(id))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            view = ReadView(reader);
            deliveries = JsonSerializer.Deserialize<DeliveryState[]>(reader.GetString(12), Json.Options)!;
            using var payload = JsonDocument.Parse(reader.GetString(17));
            content = new NotificationContent(
                JsonSerializer.Deserialize<Recipient>(reader.GetString(13), Json.Options)!,
                NullableString(reader, 14), NullableString(reader, 15), reader.GetBoolean(16), payload.RootElement.Clone(),
                reader.IsDBNull(18) ? null : JsonSerializer.Deserialize<NotificationTemplate>(reader.GetString(18), Json.Options));
        }

        var logs = new List<DeliveryLogView>();
        await using (var command = scope.Command(
            """
            SELECT channel, attempt, status, latency_ms, error_code, error_message, created_at, provider, provider_message_id
              FROM notification_logs WHERE notification_id = $1 ORDER BY created_at, attempt
            """).With(id))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                logs.Add(new DeliveryLogView(Wire.ParseChannel(reader.GetString(0)), reader.GetInt32(1), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3), NullableString(reader, 4), NullableString(reader, 5),
                    reader.GetFieldValue<DateTimeOffset>(6), NullableString(reader, 7), NullableString(reader, 8)));
            }
        }

        return new NotificationDetails(view, content,
            deliveries.Select(d => new DeliveryView(d.Channel, d.Status, d.Attempts, d.DueAt, d.LastErrorCode, d.LastError, d.SentAt)).ToArray(),
            logs);
    }

    public static async Task<Page<NotificationView>> ListAsync(TenantScope scope, NotificationFilter filter, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {ViewColumns} FROM notifications n WHERE true");
        var command = scope.Command("");
        await using var _ = command;
        void Where(string condition, object value)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
            sql.Append(" AND ").Append(condition.Replace("{p}", "$" + command.Parameters.Count, StringComparison.Ordinal));
        }

        if (filter.Status is { } status) Where("n.status = {p}", status.Name());
        if (filter.Channel is { } channel) Where("n.channels @> ARRAY[{p}]::text[]", channel.Name());
        if (filter.EventType is { } eventType) Where("n.event_type = {p}", eventType);
        if (filter.From is { } from) Where("n.created_at >= {p}", from);
        if (filter.To is { } to) Where("n.created_at < {p}", to);
        if (filter.After is { } after)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after.CreatedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = after.Id });
            sql.Append($" AND (n.created_at, n.id) < (${command.Parameters.Count - 1}, ${command.Parameters.Count})");
        }

        command.Parameters.Add(new NpgsqlParameter { Value = filter.Limit + 1 });
        sql.Append($" ORDER BY n.created_at DESC, n.id DESC LIMIT ${command.Parameters.Count}");
        command.CommandText = sql.ToString();

        var items = new List<NotificationView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadView(reader));
            }
        }

        return KeysetPage.Of(items, filter.Limit, PagedList.Notifications, n => new PageCursor(n.CreatedAt, n.Id));
    }

    /// <returns>null when the tenant has no such notification.</returns>
    public static async Task<IReadOnlyList<NotificationEventView>?> EventsAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using (var exists = scope.Command("SELECT 1 FROM notifications WHERE id = $1").With(id))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return null;
            }
        }

        var events = new List<NotificationEventView>();
        await using var command = scope.Command(
            "SELECT id, event, details::text, created_at FROM notification_events WHERE notification_id = $1 ORDER BY id").With(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            JsonElement? details = reader.IsDBNull(2) ? null : JsonDocument.Parse(reader.GetString(2)).RootElement;
            events.Add(new NotificationEventView(reader.GetInt64(0), reader.GetString(1), details, reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return events;
    }

    private static NotificationView ReadView(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), Wire.ParseStatus(reader.GetString(3)),
        (Priority)reader.GetInt16(4), reader.GetFieldValue<string[]>(5).Select(Wire.ParseChannel).ToArray(),
        NullableString(reader, 6), NullableString(reader, 7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10),
        reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11));

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
