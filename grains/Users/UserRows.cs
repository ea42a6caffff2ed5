using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Grains.Users;

/// <summary>How <see cref="UserStore"/> and <see cref="SessionStore"/> read a user's row, hash one-time tokens and audit.</summary>
internal static class UserRows
{
    public const string Columns =
        "id, tenant_id, email, role, is_active, password_hash IS NULL, created_at, updated_at, last_login_at";

    public static async Task AuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId, AuditActor actor, string action, Guid userId, object? changes,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes, ip_address, user_agent)
            VALUES ($1, $2, $3, 'user', $4, $5::jsonb, $6, $7)
            """, connection, transaction)
            .With(tenantId).With(actor.Actor).With(action).With(userId.ToString())
            .With(changes is null ? null : JsonSerializer.Serialize(changes, Json.Options), NpgsqlDbType.Text)
            .With(actor.IpAddress, NpgsqlDbType.Text).With(actor.UserAgent, NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Digest(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    public static string Prefixed(string alias) => string.Join(", ", Columns.Split(", ").Select(c => $"{alias}.{c}"));

    public static async Task<AdminUser?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public static AdminUser Read(NpgsqlDataReader reader, int offset = 0) =>
        new(reader.GetGuid(offset), reader.GetGuid(offset + 1), reader.GetString(offset + 2), reader.GetString(offset + 3),
            reader.GetBoolean(offset + 4), reader.GetBoolean(offset + 5),
            reader.GetFieldValue<DateTimeOffset>(offset + 6), reader.GetFieldValue<DateTimeOffset>(offset + 7),
            reader.IsDBNull(offset + 8) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 8));
}
