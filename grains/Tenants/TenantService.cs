using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Queries;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants;

/// <summary>
/// Creates, lists, renames, suspends and resumes tenants. Operator-level: runs outside any tenant
/// scope. Every change is audited in the tenant's own <c>admin_audit_logs</c>, and a suspension or
/// resumption is announced through the tenant's grain, so every node drops the keys and policies
/// it cached for the tenant at once.
/// </summary>
public sealed class TenantService(Database database, ApiKeyService apiKeys, TenantWatch watch, IServiceProvider services, TimeProvider time)
{
    private const string Columns = "id, name, slug, status, created_at, updated_at";

    public Task<(Tenant Tenant, CreatedApiKey AdminKey)> CreateAsync(string name, string slug, CancellationToken cancellationToken) =>
        CreateAsync(name, slug, AuditActor.System, cancellationToken);

    /// <exception cref="DuplicateTenantException">The name or the slug is taken.</exception>
    public async Task<(Tenant Tenant, CreatedApiKey AdminKey)> CreateAsync(
        string name, string slug, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tenant = new Tenant(Guid.CreateVersion7(), name, slug, Tenant.Active, now, now);
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new NpgsqlCommand(
            "INSERT INTO tenants (id, name, slug, webhook_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)", connection)
            .With(tenant.Id).With(name).With(slug).With(StandardWebhookSigner.GenerateSecret()).With(tenant.CreatedAt))
        {
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new DuplicateTenantException(e.ConstraintName == "tenants_slug_key" ? "slug" : "name");
            }
        }

        await using var scope = await database.BeginTenantScopeAsync(
            tenant.Id, null, null, cancellationToken, new ClientInfo(actor.IpAddress, actor.UserAgent));
        await AuditAsync(scope.Connection, scope.Transaction, tenant.Id, actor, "tenant.created",
            JsonSerializer.Serialize(new { name, slug }), cancellationToken);
        var key = await apiKeys.CreateAsync(scope, "bootstrap admin", ApiPrincipal.AdminRole, actor.Actor, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return (tenant, key);
    }

    public async Task<Tenant?> FindBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenants WHERE slug = $1", connection).With(slug);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<Tenant?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenants WHERE id = $1", connection).With(id);
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>Tenants newest first, optionally only those of one status.</summary>
    public async Task<Page<Tenant>> ListAsync(int limit, PageCursor? after, string? status, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns} FROM tenants
             WHERE ($1::text IS NULL OR status = $1)
               AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
             ORDER BY created_at DESC, id DESC
             LIMIT $4
            """, connection)
            .With(status, NpgsqlTypes.NpgsqlDbType.Text)
            .With(after?.CreatedAt, NpgsqlTypes.NpgsqlDbType.TimestampTz)
            .With(after?.Id, NpgsqlTypes.NpgsqlDbType.Uuid)
            .With(limit + 1);
        var rows = new List<Tenant>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(Read(reader));
            }
        }

        return KeysetPage.Of(rows, limit, PagedList.Tenants, t => new PageCursor(t.CreatedAt, t.Id));
    }

    /// <summary>
    /// Renames the tenant and/or sets its status; what is unchanged is left alone and not audited.
    /// A suspended tenant's keys and users are refused, its intake refused and its due work left
    /// waiting; resuming wakes the dispatchers for that work.
    /// </summary>
    /// <returns>The tenant as it is now, or null when there is no such tenant.</returns>
    /// <exception cref="DuplicateTenantException">Another tenant has the name.</exception>
    public async Task<Tenant?> UpdateAsync(Guid id, string? name, string? status, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Tenant? before;
        await using (var select = new NpgsqlCommand($"SELECT {Columns} FROM tenants WHERE id = $1 FOR UPDATE", connection, transaction).With(id))
        {
            before = await ReadOneAsync(select, cancellationToken);
        }

        if (before is null)
        {
            return null;
        }

        var after = before with { Name = name ?? before.Name, Status = status ?? before.Status };
        if (after == before)
        {
            return before;
        }

        after = after with { UpdatedAt = time.GetUtcNow() };
        await using (var update = new NpgsqlCommand(
            "UPDATE tenants SET name = $2, status = $3, updated_at = $4 WHERE id = $1", connection, transaction)
            .With(id).With(after.Name).With(after.Status).With(after.UpdatedAt))
        {
            try
            {
                await update.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new DuplicateTenantException("name");
            }
        }

        if (after.Name != before.Name)
        {
            await AuditAsync(connection, transaction, id, actor, "tenant.renamed",
                JsonSerializer.Serialize(new { name = new { from = before.Name, to = after.Name } }), cancellationToken);
        }

        if (after.Status != before.Status)
        {
            var action = after.Status == Tenant.Suspended ? "tenant.suspended" : "tenant.resumed";
            await AuditAsync(connection, transaction, id, actor, action,
                JsonSerializer.Serialize(new { status = new { from = before.Status, to = after.Status } }), cancellationToken);
            if (after.Status == Tenant.Active)
            {
                // Its work waited, due, while it was suspended: the dispatchers claim it now.
                await using var wake = new NpgsqlCommand($"SELECT pg_notify('{PostgresChannels.Reminders}', '')", connection, transaction);
                await wake.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (after.Status != before.Status)
        {
            // This node at once (its next request must see the change); the others when the
            // grain's notice reaches them, a moment later.
            foreach (var cache in services.GetServices<ITenantSettingsCache>())
            {
                cache.Evict(id);
            }

            await watch.AnnounceAsync(id);
        }

        return after;
    }

    /// <summary>The tenant's Standard Webhooks signing secret (whsec_…), for its admins.</summary>
    public static async Task<string> GetWebhookSecretAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT webhook_secret FROM tenants");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task AuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId, AuditActor actor, string action, string changes,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes, ip_address, user_agent)
            VALUES ($1, $2, $3, 'tenant', $1::text, $4::jsonb, $5, $6)
            """, connection, transaction)
            .With(tenantId).With(actor.Actor).With(action).With(changes)
            .With(actor.IpAddress, NpgsqlTypes.NpgsqlDbType.Text).With(actor.UserAgent, NpgsqlTypes.NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Tenant?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static Tenant Read(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5));
}

/// <summary>Another tenant already has this <see cref="Field"/> (<c>name</c> or <c>slug</c>).</summary>
public sealed class DuplicateTenantException(string field) : Exception($"a tenant with this {field} exists")
{
    public string Field { get; } = field;
}
