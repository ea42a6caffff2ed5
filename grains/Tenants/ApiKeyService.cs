using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants;

/// <summary>Creates, lists, revokes and authenticates API keys.</summary>
public sealed class ApiKeyService(Database database, ApiKeyCache cache, TenantWatch watch, TimeProvider time)
{
    /// <returns>The caller, or null for a token that is no valid key.</returns>
    /// <exception cref="TenantSuspendedException">A valid key of a suspended tenant.</exception>
    public async Task<ApiPrincipal?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (!ApiKeyToken.TryParse(token, out var prefix, out var secret))
        {
            return null;
        }

        var cached = cache.TryGet(prefix, out var record);
        if (!cached)
        {
            record = await LoadAsync(prefix, cancellationToken);
            if (record is null)
            {
                return null;
            }

            if (await WatchAsync(record.TenantId, cancellationToken))
            {
                // Loaded before this node watched the tenant: a revocation committed meanwhile
                // was announced to the others only. Loaded again, it is heard of.
                record = await LoadAsync(prefix, cancellationToken);
                if (record is null)
                {
                    return null;
                }
            }

            cache.Set(prefix, record);
        }

        if (record.Revoked || !ApiKeyToken.Matches(secret, record.Hash))
        {
            return null;
        }

        if (record.Suspended)
        {
            throw new TenantSuspendedException(); // only to one who holds the key: the tenant's own
        }

        if (!cached)
        {
            // A cache miss happens at most once a minute per key and node: that is how often
            // last_used_at moves, so it costs the hot path nothing.
            await TouchAsync(record.Id, cancellationToken);
        }

        return new ApiPrincipal(record.TenantId, record.Id, prefix, record.Role);
    }

    /// <summary>
    /// Makes sure this node hears of the tenant's changes before its key is cached; true when it
    /// did not until now. The cluster unreachable, the key is checked and cached all the same:
    /// revocations then reach this node through the cache's one-minute expiry.
    /// </summary>
    private async Task<bool> WatchAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (watch.Watches(tenantId))
        {
            return false;
        }

        try
        {
            await watch.EnsureAsync(tenantId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    private async Task TouchAsync(Guid keyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", connection)
            .With(keyId).With(time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<ApiKeyRecord?> LoadAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT k.id, k.tenant_id, k.role, k.key_hash, k.revoked_at IS NOT NULL, t.status = 'SUSPENDED'
              FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
             WHERE k.key_prefix = $1
            """, connection).With(prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ApiKeyRecord(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), (byte[])reader[3], reader.GetBoolean(4), reader.GetBoolean(5))
            : null;
    }

    public async Task<CreatedApiKey> CreateAsync(TenantScope scope, string name, string role, string actor, CancellationToken cancellationToken)
    {
        var (token, prefix, hash) = ApiKeyToken.Generate();
        var info = new ApiKeyInfo(Guid.CreateVersion7(), name, prefix, role, time.GetUtcNow(), null, null);
        await using (var command = scope.Command(
            "INSERT INTO api_keys (id, tenant_id, name, key_prefix, key_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .With(info.Id).With(scope.TenantId).With(name).With(prefix).With(hash).With(role).With(info.CreatedAt))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(scope, actor, "api_key.created", info.Id, $$"""{"name":{{System.Text.Json.JsonSerializer.Serialize(name)}},"prefix":"{{prefix}}","role":"{{role}}"}""", cancellationToken);
        return new CreatedApiKey(info, token);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        // No tenant filter: Row Level Security confines the scope to its tenant.
        await using var command = scope.Command(
            "SELECT id, name, key_prefix, role, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new ApiKeyInfo(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return keys;
    }

    /// <returns>false when the tenant has no such key.</returns>
    public async Task<bool> RevokeAsync(TenantScope scope, Guid keyId, string actor, CancellationToken cancellationToken)
    {
        string? prefix;
        await using (var command = scope.Command(
            """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING key_prefix
            """).With(keyId).With(time.GetUtcNow()))
        {
            prefix = (string?)await command.ExecuteScalarAsync(cancellationToken);
        }

        if (prefix is null)
        {
            return false;
        }

        await AuditAsync(scope, actor, "api_key.revoked", keyId, null, cancellationToken);
        cache.Evict(prefix);
        scope.AfterCommit(() => watch.AnnounceAsync(scope.TenantId)); // every node drops the tenant's cached keys
        return true;
    }

    private static async Task AuditAsync(TenantScope scope, string actor, string action, Guid keyId, string? changes, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, $3, 'api_key', $4, $5::jsonb)
            """).With(scope.TenantId).With(actor).With(action).With(keyId.ToString()).With(changes, NpgsqlTypes.NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
