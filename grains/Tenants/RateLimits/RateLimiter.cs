using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Tenants;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>
/// A node's side of the token buckets (docs/0006). REST requests are served from tokens this
/// node leased in a block; only an empty stock costs a round trip, and one per tenant at a time.
/// Leftover tokens die with the lease, so a node never holds more than one block: that is what
/// bounds over-admission to block × nodes. A refused lease is remembered until the bucket can
/// refill, so traffic over the limit is refused from memory too. Leases go through the tenant's
/// grain (docs/0021), which this node watches: a settings change drops the tenant's stock on
/// every node, so the next request leases under the new limits.
/// </summary>
public sealed class RateLimiter(IGrainFactory grains, TenantWatch watch, IOptions<RateLimitOptions> options, TimeProvider time)
    : ITenantSettingsCache
{
    private readonly TimeSpan _lifetime = options.Value.LeaseLifetime;
    private readonly ConcurrentDictionary<Guid, Stock> _stocks = new();

    /// <summary>Takes up to <paramref name="count"/> tokens for REST requests; those not admitted are to be refused.</summary>
    public async Task<RateLimitDecision> AcquireAsync(Guid tenantId, int count, CancellationToken cancellationToken)
    {
        var stock = _stocks.GetOrAdd(tenantId, _ => new Stock());
        await stock.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (stock.ExpiresAt <= now)
            {
                stock.Tokens = 0;
            }

            if (stock.Tokens >= count)
            {
                stock.Tokens -= count;
                return RateLimitDecision.All(count);
            }

            if (now < stock.BlockedUntil)
            {
                return Refuse(stock, count, stock.BlockedUntil - now);
            }

            await watch.EnsureAsync(tenantId, cancellationToken);
            var lease = await Tenant(tenantId).Take(count - stock.Tokens, now).WaitAsync(cancellationToken);
            stock.Tokens += lease.Granted;
            stock.ExpiresAt = now + _lifetime;
            if (stock.Tokens >= count)
            {
                stock.Tokens -= count;
                return RateLimitDecision.All(count);
            }

            var (wait, hourBinds) = lease.WaitFor(lease.Granted + 1);
            stock.BlockedUntil = now + wait;
            stock.Limit = hourBinds ? lease.PerHour : lease.PerMinute;
            stock.Window = hourBinds ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
            return Refuse(stock, count, wait);
        }
        finally
        {
            stock.Gate.Release();
        }
    }

    /// <summary>
    /// Charges requests that must not be refused (Kafka) with one lease per tenant, all tenants at
    /// once, borrowing what the buckets do not hold. Returns, per tenant, how long each of its
    /// requests (in order) must wait for its token: zero for those the buckets could pay for now.
    /// </summary>
    public async Task<Dictionary<Guid, TimeSpan[]>> ScheduleAsync(
        IReadOnlyCollection<(Guid TenantId, int Count)> charges, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leases = await Task.WhenAll(charges.Select(c => Tenant(c.TenantId).Borrow(c.Count, now))).WaitAsync(cancellationToken);
        var waits = new Dictionary<Guid, TimeSpan[]>(charges.Count);
        foreach (var ((tenantId, count), lease) in charges.Zip(leases))
        {
            var tenantWaits = new TimeSpan[count];
            for (var i = 0; i < count; i++)
            {
                tenantWaits[i] = lease.WaitFor(i + 1).Wait;
            }

            waits[tenantId] = tenantWaits;
        }

        return waits;
    }

    /// <summary>Forgets what this node holds for the tenant: its limits changed.</summary>
    public void Evict(Guid tenantId) => _stocks.TryRemove(tenantId, out _);

    // The silo's grain factory, or the cluster client's on an api node (docs/0021).
    private ITenantGrain Tenant(Guid tenantId) => grains.GetGrain<ITenantGrain>(tenantId);

    // Partial batches take what the stock still has: those tokens are spent, not handed back.
    private static RateLimitDecision Refuse(Stock stock, int count, TimeSpan wait)
    {
        var admitted = stock.Tokens;
        stock.Tokens = 0;
        return new RateLimitDecision(admitted, wait, stock.Limit, stock.Window);
    }

    private sealed class Stock
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Tokens { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public DateTimeOffset BlockedUntil { get; set; }

        public int Limit { get; set; }

        public TimeSpan Window { get; set; }
    }
}
