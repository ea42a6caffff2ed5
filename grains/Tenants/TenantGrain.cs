using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Tenants.RateLimits;
using Orleans.Utilities;

namespace Notifly.Grains.Tenants;

/// <summary>
/// A tenant's grain (docs/0021). Every lease on the tenant's token buckets passes through its one
/// activation, and the buckets' state is written through to their PostgreSQL row on every lease
/// (<see cref="TokenBuckets"/>), so a silo that dies loses no tokens and the next activation
/// starts from the row. Nodes caching the tenant's settings watch it and hear of changes.
/// </summary>
public sealed class TenantGrain : Grain, ITenantGrain
{
    private readonly TokenBuckets _buckets;
    private readonly ObserverManager<ITenantObserver> _watchers;
    private TenantWatchTicket _ticket = new(Guid.NewGuid(), 0);

    public TenantGrain(TokenBuckets buckets, IOptions<TenantWatchOptions> options, ILogger<TenantGrain> logger)
    {
        _buckets = buckets;
        _watchers = new ObserverManager<ITenantObserver>(options.Value.WatchRenewal * 4, logger);
    }

    public Task<TokenLease> Take(int needed, DateTimeOffset now) =>
        _buckets.LeaseAsync(this.GetPrimaryKey(), needed, borrow: false, now, CancellationToken.None);

    public Task<TokenLease> Borrow(int needed, DateTimeOffset now) =>
        _buckets.LeaseAsync(this.GetPrimaryKey(), needed, borrow: true, now, CancellationToken.None);

    public Task<TenantWatchTicket> Watch(ITenantObserver observer)
    {
        _watchers.Subscribe(observer, observer);
        return Task.FromResult(_ticket);
    }

    public Task SettingsChanged()
    {
        _ticket = _ticket with { Version = _ticket.Version + 1 };
        var tenantId = this.GetPrimaryKey();
        var ticket = _ticket;
        _watchers.Notify(watcher => watcher.SettingsChanged(tenantId, ticket));
        return Task.CompletedTask;
    }
}
