using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Tenants;

namespace Notifly.Grains.Tenants;

/// <summary>
/// This node's subscriptions to the tenant grains whose settings it caches (docs/0021). A cache
/// calls <see cref="EnsureAsync"/> before it loads a tenant, so a change committed after the load
/// began is always heard. Each tenant grain tells its watchers of a change; the node then evicts
/// the tenant from every <see cref="ITenantSettingsCache"/>. Notifications are not reliable (a
/// silo may die with the grain's watcher list, a message may be lost), so the node renews every
/// subscription on a timer and compares the grain's answer with the last one it saw: a different
/// activation, or more changes than it heard of, evicts the tenant too. A tenant not used for
/// <see cref="TenantWatchOptions.WatchIdle"/> (no load, lease or key check) is unwatched and
/// dropped from the caches, so renewals follow the tenants this node serves now.
/// </summary>
public sealed partial class TenantWatch(
    IGrainFactory grains, IServiceProvider services, IOptions<TenantWatchOptions> options, TimeProvider time, ILogger<TenantWatch> logger)
    : BackgroundService, ITenantObserver
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<Subscription>>> _tenants = new();
    private readonly Lock _gate = new();
    private ITenantObserver? _reference;
    private ITenantSettingsCache[]? _caches;

    /// <summary>Subscribes this node to the tenant's changes, once; returns when the grain has it.</summary>
    public async Task EnsureAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var entry = _tenants.GetOrAdd(tenantId, id => new Lazy<Task<Subscription>>(() => SubscribeAsync(id)));
        try
        {
            (await entry.Value.WaitAsync(cancellationToken)).Use(time.GetUtcNow());
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tenants.TryRemove(new KeyValuePair<Guid, Lazy<Task<Subscription>>>(tenantId, entry)); // retry on the next request
            throw;
        }
    }

    /// <summary>Tells every node watching the tenant (this one included) that its settings changed; call after the commit.</summary>
    public Task AnnounceAsync(Guid tenantId) => grains.GetGrain<ITenantGrain>(tenantId).SettingsChanged();

    /// <summary>Whether this node already hears of the tenant's changes; counts as a use of the watch.</summary>
    public bool Watches(Guid tenantId)
    {
        if (_tenants.TryGetValue(tenantId, out var entry) && Subscribed(entry) is { } subscription)
        {
            subscription.Use(time.GetUtcNow());
            return true;
        }

        return false;
    }

    void ITenantObserver.SettingsChanged(Guid tenantId, TenantWatchTicket ticket)
    {
        // A renewal may have brought this change already (and evicted): then it is not news.
        if (_tenants.TryGetValue(tenantId, out var entry) && Subscribed(entry) is { } subscription && !subscription.Saw(ticket))
        {
            return;
        }

        Evict(tenantId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WatchRenewal);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Parallel.ForEachAsync(_tenants, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                async (tenant, _) => await RenewAsync(tenant.Key, tenant.Value));
        }
    }

    private async Task RenewAsync(Guid tenantId, Lazy<Task<Subscription>> entry)
    {
        if (Subscribed(entry) is not { } subscription)
        {
            return;
        }

        if (time.GetUtcNow() - subscription.LastUsed > options.Value.WatchIdle)
        {
            // Unwatched first, then dropped: a use from now on subscribes again before it reloads.
            // The grain forgets this node once its renewals stop.
            _tenants.TryRemove(new KeyValuePair<Guid, Lazy<Task<Subscription>>>(tenantId, entry));
            Evict(tenantId);
            return;
        }

        try
        {
            var ticket = await grains.GetGrain<ITenantGrain>(tenantId).Watch(Reference);
            if (subscription.Saw(ticket))
            {
                LogMissedChange(tenantId);
                Evict(tenantId);
            }
        }
        catch (Exception e)
        {
            // Not evicted: nothing says the settings changed. The next renewal tries again.
            LogRenewalFailed(e, tenantId);
        }
    }

    /// <summary>The subscription once the grain has it; null while it is being made, or after it failed.</summary>
    private static Subscription? Subscribed(Lazy<Task<Subscription>> entry) =>
        entry.IsValueCreated && entry.Value.IsCompletedSuccessfully ? entry.Value.Result : null;

    private async Task<Subscription> SubscribeAsync(Guid tenantId)
    {
        var ticket = await grains.GetGrain<ITenantGrain>(tenantId).Watch(Reference);
        return new Subscription(ticket);
    }

    private void Evict(Guid tenantId)
    {
        _caches ??= services.GetServices<ITenantSettingsCache>().ToArray(); // late: the caches depend on this watch
        foreach (var cache in _caches)
        {
            cache.Evict(tenantId);
        }
    }

    private ITenantObserver Reference
    {
        get
        {
            lock (_gate)
            {
                // The runtime holds the observer weakly; this field keeps it (the singleton) alive with the node.
                return _reference ??= grains.CreateObjectReference<ITenantObserver>(this);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tenant {TenantId}: its grain was reactivated or a settings change was missed; its cached settings are dropped")]
    private partial void LogMissedChange(Guid tenantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantId}: renewing the settings watch failed")]
    private partial void LogRenewalFailed(Exception exception, Guid tenantId);

    /// <summary>The last answer seen from the tenant's grain.</summary>
    private sealed class Subscription(TenantWatchTicket first)
    {
        private readonly Lock _gate = new();
        private TenantWatchTicket _seen = first;
        private long _lastUsed;

        public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsed), TimeSpan.Zero);

        public void Use(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsed, now.UtcTicks);

        /// <summary>Records <paramref name="ticket"/>; true when it shows a change this node was not told of.</summary>
        public bool Saw(TenantWatchTicket ticket)
        {
            lock (_gate)
            {
                if (ticket.Epoch != _seen.Epoch)
                {
                    _seen = ticket;
                    return true;
                }

                if (ticket.Version > _seen.Version)
                {
                    _seen = ticket;
                    return true;
                }

                return false;
            }
        }
    }
}
