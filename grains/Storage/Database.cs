using Npgsql;

namespace Notifly.Grains.Storage;

/// <summary>
/// The one way into PostgreSQL. System work (the reminder service, intake group commit) runs as
/// the connecting role and names tenants explicitly; everything done on a tenant's behalf runs
/// in a tenant scope, where Row Level Security hides every other tenant's rows.
/// </summary>
public sealed class Database(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Makes sure no connection in use now is used again: idle ones close at once, busy ones when
    /// they are returned. For a failure whose connection state cannot be trusted (docs/0018); the
    /// price is one reconnect per pooled connection, so it is for rare paths only.
    /// </summary>
    public void Discard() => DataSource.Clear();

    /// <summary>
    /// Opens a transaction that can only see and write <paramref name="tenantId"/>'s rows. When
    /// <paramref name="apiKeyId"/> is given the key is re-checked inside the transaction, so a key
    /// revoked on another node a moment ago cannot act, whatever that node's cache says, and nor
    /// can any key of a tenant an operator has just suspended.
    /// </summary>
    /// <exception cref="ApiKeyRevokedException">The key was revoked.</exception>
    /// <exception cref="TenantSuspendedException">The tenant is suspended.</exception>
    public Task<TenantScope> BeginTenantScopeAsync(Guid tenantId, Guid? apiKeyId, CancellationToken cancellationToken) =>
        BeginTenantScopeAsync(tenantId, apiKeyId, null, cancellationToken);

    /// <summary>
    /// <see cref="BeginTenantScopeAsync(Guid, Guid?, CancellationToken)"/> for a caller that is an
    /// API key or a signed-in user: a user deactivated a moment ago cannot act either.
    /// </summary>
    /// <exception cref="UserDeactivatedException">The user was deactivated or deleted.</exception>
    /// <param name="client">The caller's address and user agent: audit rows written in the scope record them.</param>
    public async Task<TenantScope> BeginTenantScopeAsync(
        Guid tenantId, Guid? apiKeyId, Guid? userId, CancellationToken cancellationToken, ClientInfo? client = null)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(
                        """
                        SELECT set_config('notifly.tenant_id', $1::text, true)
                               -- admin_audit_logs' defaults: who, from where (migration 0020)
                               || set_config('notifly.user_id', coalesce($4::text, ''), true)
                               || set_config('notifly.client_ip', coalesce($5, ''), true)
                               || set_config('notifly.user_agent', coalesce($6, ''), true),
                               $2::uuid IS NULL OR EXISTS (SELECT 1 FROM api_keys WHERE id = $2 AND revoked_at IS NULL),
                               $4::uuid IS NULL OR EXISTS (SELECT 1 FROM admin_users WHERE id = $4 AND tenant_id = $3 AND is_active),
                               ($2::uuid IS NULL AND $4::uuid IS NULL) OR EXISTS (SELECT 1 FROM tenants WHERE id = $3 AND status = 'ACTIVE')
                        """).With(tenantId.ToString()).With(apiKeyId, NpgsqlTypes.NpgsqlDbType.Uuid).With(tenantId)
                        .With(userId, NpgsqlTypes.NpgsqlDbType.Uuid)
                        .With(client?.IpAddress, NpgsqlTypes.NpgsqlDbType.Text).With(client?.UserAgent, NpgsqlTypes.NpgsqlDbType.Text),
                    new NpgsqlBatchCommand("SET LOCAL ROLE notifly_tenant"),
                },
            };
            bool keyValid, userValid, tenantActive;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                keyValid = reader.GetBoolean(1);
                userValid = reader.GetBoolean(2);
                tenantActive = reader.GetBoolean(3);
            }

            if (!keyValid || !userValid || !tenantActive)
            {
                await transaction.DisposeAsync();
                throw !keyValid ? new ApiKeyRevokedException() : !userValid ? new UserDeactivatedException() : new TenantSuspendedException();
            }

            return new TenantScope(connection, transaction, tenantId);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
