using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.Policies;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>
/// Reads and replaces a tenant's settings (rate limits, retry policies, channel fallback, disabled
/// channels, retention), audited.
/// A PUT replaces the sections it names and keeps the others; its commit announces the change to
/// every node through the tenant's grain (docs/0021).
/// </summary>
public sealed class TenantSettingsService(IOptions<RateLimitOptions> options, TimeProvider time, PolicySettingsStore policies, TenantWatch watch)
{
    public async Task<TenantSettings> GetAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        var limits = await GetRateLimitsAsync(scope, cancellationToken);
        var (retry, fallback) = await policies.GetAsync(scope, cancellationToken);
        await using var tenant = scope.Command("SELECT disabled_channels, retention_days FROM tenants WHERE id = $1").With(scope.TenantId);
        await using var reader = await tenant.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var disabled = reader.GetFieldValue<string[]>(0);
        var retention = new RetentionSettings(reader.IsDBNull(1) ? null : reader.GetInt32(1));
        return new TenantSettings(limits, retry, fallback, disabled, retention);
    }

    private async Task<RateLimitSettings> GetRateLimitsAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        // No tenant filter: Row Level Security confines the scope to its tenant.
        await using var command = scope.Command("SELECT requests_per_minute, requests_per_hour, burst_limit FROM rate_limit_config");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            return new RateLimitSettings(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
        }

        var defaults = options.Value;
        return new RateLimitSettings(defaults.DefaultRequestsPerMinute, defaults.DefaultRequestsPerHour, defaults.DefaultBurstLimit);
    }

    /// <summary>Stores validated settings (see <see cref="TenantSettingsValidator"/>); the caller commits.</summary>
    public async Task<TenantSettings> PutAsync(TenantScope scope, TenantSettings settings, string actor, CancellationToken cancellationToken)
    {
        var before = await GetAsync(scope, cancellationToken);
        if (settings.RateLimits is { } limits)
        {
            await using var command = scope.Command(
            """
            INSERT INTO rate_limit_config (tenant_id, requests_per_minute, requests_per_hour, burst_limit, updated_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id) DO UPDATE
               SET requests_per_minute = excluded.requests_per_minute, requests_per_hour = excluded.requests_per_hour,
                   burst_limit = excluded.burst_limit, updated_at = excluded.updated_at
            """).With(scope.TenantId).With(limits.RequestsPerMinute!.Value).With(limits.RequestsPerHour!.Value)
                .With(limits.BurstLimit!.Value).With(time.GetUtcNow());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await policies.PutAsync(scope, settings, cancellationToken);
        if (settings.DisabledChannels is { } disabled)
        {
            await using var command = scope.Command("UPDATE tenants SET disabled_channels = $2 WHERE id = $1")
                .With(scope.TenantId).With(disabled.Select(c => c.Trim().ToUpperInvariant()).Distinct().ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (settings.Retention is { } retention)
        {
            await using var command = scope.Command("UPDATE tenants SET retention_days = $2 WHERE id = $1")
                .With(scope.TenantId).With(retention.Days, NpgsqlTypes.NpgsqlDbType.Integer);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var after = await GetAsync(scope, cancellationToken);

        var changes = JsonSerializer.Serialize(new { before, after }, Json.Options);
        await using (var audit = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, 'settings.updated', 'tenant_settings', $3, $4::jsonb)
            """).With(scope.TenantId).With(actor).With(scope.TenantId.ToString()).With(changes))
        {
            await audit.ExecuteNonQueryAsync(cancellationToken);
        }

        // After the commit, to every node including this one: each drops the tenant's leased
        // tokens and its remembered refusal, so the next request leases under the new limits, and
        // its cached policies. Announced before the commit, a node could reload the old row.
        scope.AfterCommit(() => watch.AnnounceAsync(scope.TenantId));
        return after;
    }
}
