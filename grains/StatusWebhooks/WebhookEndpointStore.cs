using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Runtime;
using Notifly.Grains.Security;
using Notifly.Grains.Storage;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// A tenant's status-webhook endpoints, always inside its tenant scope (Row Level Security keeps
/// other tenants' endpoints out of every statement). Secrets are sealed here and shown only in
/// what create and rotate return. Changes that may start or stop deliveries NOTIFY every node;
/// the caller commits and then tells this node's <see cref="StatusWebhookPresence"/>.
/// </summary>
public sealed class WebhookEndpointStore(SecretBox box, TimeProvider time)
{
    // $n is the statement's "now": a rotated-out secret that has expired is not shown as still signing.
    private static string ViewColumns(int now) =>
        "id, url, description, events, headers::text, timeout_seconds, is_active, disabled_at, disabled_reason, " +
        $"consecutive_failures, CASE WHEN previous_secret_expires_at > ${now} THEN previous_secret_expires_at END, created_at, updated_at";

    public static async Task<int> CountAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT count(*) FROM webhook_endpoints");
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <exception cref="SecretsNotConfiguredException">No <c>Notifly:Secrets</c> key: the secret could not be stored.</exception>
    public async Task<WebhookEndpointCreated> CreateAsync(TenantScope scope, ValidEndpoint endpoint, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var secret = StandardWebhookSigner.GenerateSecret();
        var sealedSecret = box.Seal(secret, StatusWebhookSecrets.Current.AssociatedData(id));
        await using var command = scope.Command(
            $"""
            INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, headers, timeout_seconds, secret, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $9)
            RETURNING {ViewColumns(9)}
            """)
            .With(id).With(scope.TenantId).With(endpoint.Url.AbsoluteUri).With(endpoint.Description, NpgsqlDbType.Text)
            .With(endpoint.Events.ToArray()).With(JsonSerializer.Serialize(endpoint.Headers)).With(endpoint.TimeoutSeconds)
            .With(sealedSecret).With(now);
        var view = (await ReadAsync(command, cancellationToken)).Single();
        await NotifyAsync(scope, cancellationToken);
        return new WebhookEndpointCreated(view, secret);
    }

    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            $"SELECT {ViewColumns(1)} FROM webhook_endpoints ORDER BY created_at, id")
            .With(time.GetUtcNow());
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<WebhookEndpointView?> GetAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            $"SELECT {ViewColumns(2)} FROM webhook_endpoints WHERE id = $1")
            .With(id).With(time.GetUtcNow());
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Replaces what the tenant chose (URL, events, headers, …); state and secrets stay.</summary>
    public async Task<WebhookEndpointView?> UpdateAsync(TenantScope scope, Guid id, ValidEndpoint endpoint, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = scope.Command(
            $"""
            UPDATE webhook_endpoints
               SET url = $2, description = $3, events = $4, headers = $5::jsonb, timeout_seconds = $6, updated_at = $7
             WHERE id = $1
            RETURNING {ViewColumns(7)}
            """)
            .With(id).With(endpoint.Url.AbsoluteUri).With(endpoint.Description, NpgsqlDbType.Text).With(endpoint.Events.ToArray())
            .With(JsonSerializer.Serialize(endpoint.Headers)).With(endpoint.TimeoutSeconds).With(now);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Deletes the endpoint with every delivery it has, queued or done.</summary>
    public static async Task<bool> DeleteAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            WITH gone AS (DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id),
                 deliveries AS (DELETE FROM webhook_deliveries WHERE endpoint_id IN (SELECT id FROM gone))
            SELECT count(*) FROM gone
            """).With(id);
        if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            return false;
        }

        await NotifyAsync(scope, cancellationToken);
        return true;
    }

    /// <summary>
    /// A new secret signs from now on; the current one keeps signing beside it for
    /// <paramref name="overlap"/>. A secret already rotated out is dropped at once.
    /// </summary>
    /// <exception cref="SecretsNotConfiguredException">No <c>Notifly:Secrets</c> key.</exception>
    public async Task<WebhookSecretRotated?> RotateSecretAsync(TenantScope scope, Guid id, TimeSpan overlap, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var secret = StandardWebhookSigner.GenerateSecret();
        await using var command = scope.Command(
            """
            UPDATE webhook_endpoints
               SET previous_secret = secret, previous_secret_expires_at = $3, secret = $2, updated_at = $4
             WHERE id = $1
            RETURNING previous_secret_expires_at
            """)
            .With(id).With(box.Seal(secret, StatusWebhookSecrets.Current.AssociatedData(id))).With(now + overlap).With(now);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime expires
            ? new WebhookSecretRotated(secret, new DateTimeOffset(expires, TimeSpan.Zero))
            : null;
    }

    /// <summary>Turns a disabled endpoint back on with a clean failure record.</summary>
    public async Task<WebhookEndpointView?> EnableAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = scope.Command(
            $"""
            UPDATE webhook_endpoints
               SET is_active = true, disabled_at = NULL, disabled_reason = NULL, consecutive_failures = 0, failing_since = NULL,
                   updated_at = $2
             WHERE id = $1
            RETURNING {ViewColumns(2)}
            """).With(id).With(now);
        var view = (await ReadAsync(command, cancellationToken)).SingleOrDefault();
        if (view is not null)
        {
            await NotifyAsync(scope, cancellationToken);
        }

        return view;
    }

    private static async Task NotifyAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var notify = scope.Command($"SELECT pg_notify('{PostgresChannels.WebhookEndpoints}', $1)").With(scope.TenantId.ToString());
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<WebhookEndpointView>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var views = new List<WebhookEndpointView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new WebhookEndpointView(
                reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(4))!,
                reader.GetInt32(5), reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
                reader.GetFieldValue<DateTimeOffset>(11), reader.GetFieldValue<DateTimeOffset>(12)));
        }

        return views;
    }
}
