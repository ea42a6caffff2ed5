using System.Text.Json;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants;

/// <summary>
/// Writes one row of the tenant's audit log in the caller's scope: the user, address and user
/// agent come from the scope itself (migration 0020). <paramref name="changes"/> must hold no
/// secret: callers pass names, not values, for headers and credentials.
/// </summary>
public static class AuditLog
{
    public static async Task RecordAsync(
        TenantScope scope, string actor, string action, string resourceType, string resourceId, object? changes,
        CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb)
            """).With(scope.TenantId).With(actor).With(action).With(resourceType).With(resourceId)
            .With(changes is null ? null : JsonSerializer.Serialize(changes, Json.Options), NpgsqlTypes.NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
