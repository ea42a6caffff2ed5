using Npgsql;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants;

/// <summary>Creates tenants and their first admin key. Operator-level: runs outside any tenant scope.</summary>
public sealed class TenantService(Database database, ApiKeyService apiKeys, TimeProvider time)
{
    public async Task<(Tenant Tenant, CreatedApiKey AdminKey)> CreateAsync(string name, string slug, CancellationToken cancellationToken)
    {
        var tenant = new Tenant(Guid.CreateVersion7(), name, slug, "ACTIVE", time.GetUtcNow());
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new NpgsqlCommand(
            "INSERT INTO tenants (id, name, slug, webhook_secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)", connection)
            .With(tenant.Id).With(name).With(slug).With(StandardWebhookSigner.GenerateSecret()).With(tenant.CreatedAt))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var scope = await database.BeginTenantScopeAsync(tenant.Id, null, cancellationToken);
        var key = await apiKeys.CreateAsync(scope, "bootstrap admin", ApiPrincipal.AdminRole, "system", cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return (tenant, key);
    }

    public async Task<Tenant?> FindBySlugAsync(string slug, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id, name, slug, status, created_at FROM tenants WHERE slug = $1", connection).With(slug);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Tenant(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    /// <summary>The tenant's Standard Webhooks signing secret (whsec_…), for its admins.</summary>
    public static async Task<string> GetWebhookSecretAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT webhook_secret FROM tenants");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
