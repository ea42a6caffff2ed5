using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Queries;

/// <summary>One provider attempt in the tenant's delivery log, with the request it belongs to.</summary>
public sealed record DeliveryLogEntry(
    long Id, Guid RequestId, string EventType, Channel Channel, int Attempt, string Status, long? LatencyMs, string? Provider,
    string? ErrorCode, string? ErrorMessage, string? ProviderMessageId, DateTimeOffset CreatedAt);

/// <summary>What to list; every filter is optional, <c>To</c> is exclusive.</summary>
public sealed record DeliveryLogFilter(
    Guid? RequestId = null, string? Status = null, Channel? Channel = null, string? EventType = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>
/// Seed 000's notification logs for the dashboard: the tenant's attempts newest first, in the
/// caller's scope, paged on (created_at, id) along <c>notification_logs_tenant_created</c>.
/// </summary>
public static class DeliveryLogQueries
{
    private const string Sql =
        """
        SELECT l.id, l.notification_id, n.event_type, l.channel, l.attempt, l.status, l.latency_ms, l.provider,
               l.error_code, l.error_message, l.provider_message_id, l.created_at
          FROM notification_logs l
          JOIN notifications n ON n.id = l.notification_id
         WHERE ($1::uuid IS NULL OR l.notification_id = $1)
           AND ($2::text IS NULL OR l.status = $2)
           AND ($3::text IS NULL OR l.channel = $3)
           AND ($4::text IS NULL OR n.event_type = $4)
           AND ($5::timestamptz IS NULL OR l.created_at >= $5)
           AND ($6::timestamptz IS NULL OR l.created_at < $6)
           AND ($7::timestamptz IS NULL OR (l.created_at, l.id) < ($7, $8))
         ORDER BY l.created_at DESC, l.id DESC
         LIMIT $9
        """;

    public static async Task<Page<DeliveryLogEntry>> ListAsync(
        TenantScope scope, DeliveryLogFilter filter, int limit, (DateTimeOffset CreatedAt, long Id)? after, CancellationToken cancellationToken)
    {
        var rows = new List<DeliveryLogEntry>(limit + 1);
        await foreach (var row in ReadAsync(scope, filter, limit + 1, after, cancellationToken))
        {
            rows.Add(row);
        }

        if (rows.Count <= limit)
        {
            return new Page<DeliveryLogEntry>(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return new Page<DeliveryLogEntry>(rows, EncodeCursor(rows[^1].CreatedAt, rows[^1].Id));
    }

    /// <summary>Every matching row, newest first, read in pages so that an export of millions holds only one page at a time.</summary>
    public static async IAsyncEnumerable<DeliveryLogEntry> ExportAsync(
        TenantScope scope, DeliveryLogFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int page = 5000;
        (DateTimeOffset, long)? after = null;
        while (true)
        {
            var count = 0;
            DeliveryLogEntry? last = null;
            await foreach (var row in ReadAsync(scope, filter, page, after, cancellationToken))
            {
                count++;
                last = row;
                yield return row;
            }

            if (count < page)
            {
                yield break;
            }

            after = (last!.CreatedAt, last.Id);
        }
    }

    private static async IAsyncEnumerable<DeliveryLogEntry> ReadAsync(
        TenantScope scope, DeliveryLogFilter filter, int limit, (DateTimeOffset CreatedAt, long Id)? after,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = scope.Command(Sql)
            .With(filter.RequestId, NpgsqlTypes.NpgsqlDbType.Uuid).With(filter.Status, NpgsqlTypes.NpgsqlDbType.Text)
            .With(filter.Channel?.Name(), NpgsqlTypes.NpgsqlDbType.Text).With(filter.EventType, NpgsqlTypes.NpgsqlDbType.Text)
            .With(filter.From, NpgsqlTypes.NpgsqlDbType.TimestampTz).With(filter.To, NpgsqlTypes.NpgsqlDbType.TimestampTz)
            .With(after?.CreatedAt, NpgsqlTypes.NpgsqlDbType.TimestampTz).With(after?.Id, NpgsqlTypes.NpgsqlDbType.Bigint)
            .With(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new DeliveryLogEntry(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), Wire.ParseChannel(reader.GetString(3)), reader.GetInt32(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11));
        }
    }

    /// <summary>The opaque <c>nextCursor</c>: the last row's time and id, tagged so that no other list's cursor passes.</summary>
    public static string EncodeCursor(DateTimeOffset createdAt, long id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"logs:{createdAt.UtcTicks}:{id}")));

    /// <summary>True only for a string <see cref="EncodeCursor"/> gave.</summary>
    public static bool TryParseCursor(string text, out (DateTimeOffset CreatedAt, long Id) position)
    {
        position = default;
        if (text.Length > 80 || !Base64Url.IsValid(text))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':');
        if (parts is not ["logs", var ticksText, var idText]
            || !long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return EncodeCursor(position.CreatedAt, id) == text;
    }
}
