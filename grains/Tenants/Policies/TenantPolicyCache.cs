using System.Collections.Concurrent;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.Policies;

/// <summary>
/// Per-node cache of each tenant's retry policies and fallback orders, read at intake only (the
/// policy is bound into the notification there, so the dispatcher never reads it). The node
/// watches the tenant's grain before loading, and a settings change evicts the tenant on every
/// node (docs/0021).
/// </summary>
public sealed class TenantPolicyCache(Database database, RetryPolicy deployment, TenantWatch watch) : ITenantSettingsCache
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<TenantPolicies>>> _tenants = new();

    public async Task<TenantPolicies> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        // The load is shared by concurrent callers, so it must not be cancelled by one of them.
        var entry = _tenants.GetOrAdd(tenantId, id => new Lazy<Task<TenantPolicies>>(() => LoadAsync(id)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tenants.TryRemove(new KeyValuePair<Guid, Lazy<Task<TenantPolicies>>>(tenantId, entry)); // do not cache a failure
            throw;
        }
    }

    public void Evict(Guid tenantId) => _tenants.TryRemove(tenantId, out _);

    private async Task<TenantPolicies> LoadAsync(Guid tenantId)
    {
        await watch.EnsureAsync(tenantId, CancellationToken.None); // before the load: a later change then evicts it
        // System work on the node's own connection: the tenant filter is explicit here.
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var retry = new NpgsqlCommand($"{PolicyRows.SelectRetry} WHERE tenant_id = $1", connection).With(tenantId);
        var retries = await PolicyRows.ReadRetryAsync(retry, CancellationToken.None);
        await using var fallback = new NpgsqlCommand($"{PolicyRows.SelectFallback} WHERE tenant_id = $1", connection).With(tenantId);
        var orders = await PolicyRows.ReadFallbackAsync(fallback, CancellationToken.None);
        await using var tenant = new NpgsqlCommand("SELECT disabled_channels, status = 'SUSPENDED' FROM tenants WHERE id = $1", connection)
            .With(tenantId);
        Channel[] disabled = [];
        var suspended = false;
        await using (var reader = await tenant.ExecuteReaderAsync(CancellationToken.None))
        {
            if (await reader.ReadAsync(CancellationToken.None))
            {
                disabled = reader.IsDBNull(0) ? [] : PolicyRows.ToChannels(reader.GetFieldValue<string[]>(0));
                suspended = reader.GetBoolean(1);
            }
        }

        if (retries.Count == 0 && orders.Count == 0 && disabled.Length == 0 && !suspended)
        {
            return TenantPolicies.None;
        }

        return new TenantPolicies(
            retries.ToDictionary(r => r.Key, r => PolicyRows.ToPolicy(r.Value, deployment.JitterFraction), StringComparer.Ordinal),
            orders.ToDictionary(o => o.Key, o => PolicyRows.ToChannels(o.Value), StringComparer.Ordinal),
            disabled.ToHashSet(),
            suspended);
    }
}
