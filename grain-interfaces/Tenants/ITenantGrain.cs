namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// One tenant, keyed by its id (docs/0021). It owns the tenant's token buckets, so every node's
/// leases for a tenant pass through one activation in the cluster, and it tells the nodes that
/// cache the tenant's settings when they change.
/// </summary>
public interface ITenantGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Takes up to <c>max(needed, block)</c> tokens for requests that are refused when over the
    /// limit (REST); fewer, or none, when the buckets do not hold them. <paramref name="now"/> is
    /// the caller's clock, as the bucket's refill is measured on it.
    /// </summary>
    Task<TokenLease> Take(int needed, DateTimeOffset now);

    /// <summary>Takes all of <paramref name="needed"/>, into debt, for requests that are scheduled instead of refused (Kafka).</summary>
    Task<TokenLease> Borrow(int needed, DateTimeOffset now);

    /// <summary>
    /// Subscribes (or renews) a node's observer of the tenant's settings. The answer identifies
    /// this activation and counts the changes it announced, so a node that missed one can tell.
    /// </summary>
    Task<TenantWatchTicket> Watch(ITenantObserver observer);

    /// <summary>Announces a committed change of the tenant's settings to every watching node.</summary>
    Task SettingsChanged();
}

/// <summary>A node's side of <see cref="ITenantGrain.Watch"/>: told when a tenant's settings change.</summary>
public interface ITenantObserver : IGrainObserver
{
    void SettingsChanged(Guid tenantId, TenantWatchTicket ticket);
}

/// <summary>
/// Which activation of a tenant grain answered (<paramref name="Epoch"/>, new on every activation)
/// and how many changes it had announced by then (<paramref name="Version"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantWatchTicket([property: Id(0)] Guid Epoch, [property: Id(1)] long Version);
