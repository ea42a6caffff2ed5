using System.Collections.Concurrent;

namespace Notifly.Grains.Tenants;

/// <summary>
/// Per-node cache of key lookups by prefix, so authentication costs no round trip. A revocation
/// is announced through the tenant's grain and evicts the tenant's keys on every node watching it
/// (docs/0021); entries also expire after a minute. Requests that change data re-check the key in
/// their own transaction, so the cache can never let a revoked key write.
/// </summary>
public sealed class ApiKeyCache(TimeProvider time) : ITenantSettingsCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string prefix, out ApiKeyRecord record)
    {
        if (_entries.TryGetValue(prefix, out var entry) && entry.Expires > time.GetUtcNow())
        {
            record = entry.Record;
            return true;
        }

        record = null!;
        return false;
    }

    public void Set(string prefix, ApiKeyRecord record) => _entries[prefix] = (record, time.GetUtcNow() + Lifetime);

    public void Evict(string prefix) => _entries.TryRemove(prefix, out _);

    /// <summary>Forgets every key of the tenant: one of them changed. Rare, so a scan is fine.</summary>
    public void Evict(Guid tenantId)
    {
        foreach (var entry in _entries.Where(e => e.Value.Record.TenantId == tenantId))
        {
            _entries.TryRemove(entry);
        }
    }
}
