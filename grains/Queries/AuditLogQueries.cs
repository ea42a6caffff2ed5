using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Queries;

/// <summary>An audit row as the API shows it.</summary>
public sealed record AuditLogEntry(
    long Id, string Actor, Guid? UserId, string Action, string ResourceType, string ResourceId, JsonElement? Changes,
    string? IpAddress, string? UserAgent, DateTimeOffset CreatedAt);

/// <summary>What to list: every filter is optional; <c>To</c> is exclusive.</summary>
public sealed record AuditLogFilter(
    string? Action = null, string? ResourceType = null, string? ResourceId = null, string? Actor = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>The tenant's audit log, newest first, in the caller's scope (RLS keeps it to the tenant).</summary>
public static class AuditLogQueries
{
    public static async Task<Page<AuditLogEntry>> ListAsync(
        TenantScope scope, AuditLogFilter filter, int limit, long? before, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            SELECT id, actor, user_id, action, resource_type, resource_id, changes::text, ip_address, user_agent, created_at
              FROM admin_audit_logs
             WHERE ($1::text IS NULL OR action = $1)
               AND ($2::text IS NULL OR resource_type = $2)
               AND ($3::text IS NULL OR resource_id = $3)
               AND ($4::text IS NULL OR actor = $4)
               AND ($5::timestamptz IS NULL OR created_at >= $5)
               AND ($6::timestamptz IS NULL OR created_at < $6)
               AND ($7::bigint IS NULL OR id < $7)
             ORDER BY id DESC
             LIMIT $8
            """)
            .With(filter.Action, NpgsqlTypes.NpgsqlDbType.Text).With(filter.ResourceType, NpgsqlTypes.NpgsqlDbType.Text)
            .With(filter.ResourceId, NpgsqlTypes.NpgsqlDbType.Text).With(filter.Actor, NpgsqlTypes.NpgsqlDbType.Text)
            .With(filter.From, NpgsqlTypes.NpgsqlDbType.TimestampTz).With(filter.To, NpgsqlTypes.NpgsqlDbType.TimestampTz)
            .With(before, NpgsqlTypes.NpgsqlDbType.Bigint).With(limit + 1);
        var rows = new List<AuditLogEntry>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new AuditLogEntry(
                    reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5),
                    reader.IsDBNull(6) ? null : JsonDocument.Parse(reader.GetString(6)).RootElement.Clone(),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.GetFieldValue<DateTimeOffset>(9)));
            }
        }

        if (rows.Count <= limit)
        {
            return new Page<AuditLogEntry>(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return new Page<AuditLogEntry>(rows, EncodeCursor(rows[^1].Id));
    }

    /// <summary>The opaque <c>nextCursor</c>: the last row's id, tagged so that no other list's cursor passes.</summary>
    public static string EncodeCursor(long id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"audit:{id}")));

    /// <summary>True only for a string <see cref="EncodeCursor"/> gave.</summary>
    public static bool TryParseCursor(string text, out long id)
    {
        id = 0;
        if (text.Length > 40 || !Base64Url.IsValid(text))
        {
            return false;
        }

        var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
        return decoded.StartsWith("audit:", StringComparison.Ordinal)
            && long.TryParse(decoded.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && EncodeCursor(id) == text;
    }
}
