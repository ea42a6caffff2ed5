using System.Collections.Concurrent;
using Notifly.Grains.Runtime;

namespace Notifly.Grains.Tenants;

/// <summary>
/// Per-node cache of key lookups by prefix, so authentication costs no round trip. Revocation
/// evicts the entry on every node through NOTIFY; entries also expire after a minute in case
/// a notification is missed. Requests that change data re-check the key in their own
/// transaction, so the cache can never let a revoked key write.
/// </summary>
public sealed class ApiKeyCache(TimeProvider time) : IPostgresNotificationHandler
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

    void IPostgresNotificationHandler.Handle(string channel, string payload)
    {
        if (channel == PostgresChannels.ApiKeys)
        {
            Evict(payload);
        }
    }

    void IPostgresNotificationHandler.Reconnected() => _entries.Clear();
}
