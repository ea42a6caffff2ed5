// The tenant grain on Orleans' in-process test cluster over a real PostgreSQL (docs/0021): every
// lease on a tenant's buckets passes through its one activation, so many concurrent callers
// together get exactly what the bucket holds; Kafka's borrowing runs the bucket into debt that
// REST then waits out; watchers hear of a settings change; and a node's TenantWatch notices, at
// its next renewal, a change it could not have been told of (the grain was reactivated and lost
// its watchers) — and does not evict when nothing changed; and a tenant the node has not used for
// the idle time is unwatched and dropped from its caches, while a used one is kept. The REST and Kafka paths through the
// grain are covered by the rate-limit tests, api nodes as cluster clients by TwoNodeRateLimitTests.
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Notifly.Tests.Tenants;

public sealed class TenantGrainTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private string _connectionString = "";
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => (_cluster, _connectionString) = await GrainCluster.StartAsync("tenantgrain");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Concurrent_takes_get_exactly_what_the_bucket_holds()
    {
        // Burst 100, a token a second: with the clock held still nothing refills.
        var tenantId = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 100);
        var grain = _cluster.Client.GetGrain<ITenantGrain>(tenantId);

        var leases = await Task.WhenAll(Enumerable.Range(0, 150).Select(_ => grain.Take(1, Now)));

        leases.Sum(l => l.Granted).Should().Be(100, "each take is granted from what the previous ones left");
        leases.Should().OnlyContain(l => l.Granted <= 3, "a take grants at most a block: a twentieth of the smallest limit");
        var empty = await grain.Take(1, Now);
        empty.Granted.Should().Be(0);
        empty.WaitFor(1).Wait.Should().Be(TimeSpan.FromSeconds(1), "the next token comes with the next second's refill");
    }

    [Fact]
    public async Task Borrowing_runs_the_bucket_into_debt_that_takes_then_wait_out()
    {
        var tenantId = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 10);
        var grain = _cluster.Client.GetGrain<ITenantGrain>(tenantId);

        var borrowed = await grain.Borrow(15, Now);

        borrowed.Granted.Should().Be(15, "Kafka's requests are scheduled, never refused");
        borrowed.WaitFor(15).Wait.Should().Be(TimeSpan.FromSeconds(5), "the 15th token exists 5 s after the 10 the bucket held");
        (await grain.Take(1, Now.AddSeconds(4))).Granted.Should().Be(0, "the debt is not repaid yet");
        (await grain.Take(1, Now.AddSeconds(6))).Granted.Should().Be(1);
    }

    [Fact]
    public async Task Watchers_hear_of_a_settings_change_with_its_count()
    {
        var tenantId = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 10);
        var grain = _cluster.Client.GetGrain<ITenantGrain>(tenantId);
        var observer = new RecordingObserver();
        var reference = _cluster.Client.CreateObjectReference<ITenantObserver>(observer);

        var ticket = await grain.Watch(reference);
        await grain.SettingsChanged();

        var heard = await Eventually.MatchAsync(() => Task.FromResult(observer.Heard.ToArray()), h => h.Length > 0,
            TimeSpan.FromSeconds(10), "the watcher to hear of the change");
        heard.Should().ContainSingle().Which.Should().Be((tenantId, ticket with { Version = ticket.Version + 1 }));
        GC.KeepAlive(observer);
    }

    [Fact]
    public async Task A_node_evicts_a_tenant_whose_grain_was_reactivated_and_only_then()
    {
        var tenantId = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 10);
        var cache = new RecordingCache();
        var services = new ServiceCollection().AddSingleton<ITenantSettingsCache>(cache).BuildServiceProvider();
        var options = Options.Create(new TenantWatchOptions { WatchRenewal = TimeSpan.FromMilliseconds(200) });
        using var watch = new TenantWatch(_cluster.Client, services, options, TimeProvider.System, NullLogger<TenantWatch>.Instance);
        await watch.StartAsync(CancellationToken.None);
        try
        {
            await watch.EnsureAsync(tenantId, CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(1)); // five renewals of an unchanged grain
            cache.Evicted.Should().BeEmpty("nothing changed");

            await watch.AnnounceAsync(tenantId);
            await Eventually.MatchAsync(() => Task.FromResult(cache.Evicted.Count), n => n == 1, TimeSpan.FromSeconds(10), "the announced change");

            // Deactivated, the grain forgets its watchers; the next activation is a new epoch, which
            // the node's renewal must take as "changes may have been missed".
            await _cluster.Client.GetGrain<ITenantGrain>(tenantId).Cast<IGrainManagementExtension>().DeactivateOnIdle();
            await Eventually.MatchAsync(() => Task.FromResult(cache.Evicted.Count), n => n == 2, TimeSpan.FromSeconds(10), "the renewal to notice");
            cache.Evicted.Should().OnlyContain(id => id == tenantId);
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_tenant_unused_for_the_idle_time_is_unwatched_and_dropped_and_a_used_one_is_not()
    {
        var idle = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 10);
        var busy = await CreateTenantAsync(perMinute: 60, perHour: 100_000, burst: 10);
        var cache = new RecordingCache();
        var services = new ServiceCollection().AddSingleton<ITenantSettingsCache>(cache).BuildServiceProvider();
        var clock = new ManualTimeProvider(Now);
        var options = Options.Create(new TenantWatchOptions { WatchRenewal = TimeSpan.FromMilliseconds(200), WatchIdle = TimeSpan.FromMinutes(10) });
        using var watch = new TenantWatch(_cluster.Client, services, options, clock, NullLogger<TenantWatch>.Instance);
        await watch.StartAsync(CancellationToken.None);
        try
        {
            await watch.EnsureAsync(idle, CancellationToken.None);
            await watch.EnsureAsync(busy, CancellationToken.None);

            clock.Advance(TimeSpan.FromMinutes(6));
            watch.Watches(busy).Should().BeTrue(); // a use: a key checked, say
            clock.Advance(TimeSpan.FromMinutes(6));

            await Eventually.MatchAsync(() => Task.FromResult(cache.Evicted.ToArray()), e => e.Length > 0, TimeSpan.FromSeconds(10), "the idle tenant to be dropped");
            await Task.Delay(TimeSpan.FromMilliseconds(600)); // three more renewals
            cache.Evicted.Should().Equal([idle], "only the tenant unused for 12 minutes is dropped");
            watch.Watches(idle).Should().BeFalse("its next use subscribes again before it reloads");
            watch.Watches(busy).Should().BeTrue();

            await watch.EnsureAsync(idle, CancellationToken.None);
            watch.Watches(idle).Should().BeTrue();
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }
    }

    private async Task<Guid> CreateTenantAsync(int perMinute, int perHour, int burst)
    {
        var slug = $"t-{Guid.NewGuid():N}";
        var tenants = _cluster.Silos[0].ServiceProvider.GetRequiredService<TenantService>();
        var (tenant, _) = await tenants.CreateAsync(slug, slug, CancellationToken.None);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var limits = new NpgsqlCommand(
            "INSERT INTO rate_limit_config (tenant_id, requests_per_minute, requests_per_hour, burst_limit, updated_at) VALUES ($1, $2, $3, $4, now())",
            connection);
        limits.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        limits.Parameters.Add(new NpgsqlParameter { Value = perMinute });
        limits.Parameters.Add(new NpgsqlParameter { Value = perHour });
        limits.Parameters.Add(new NpgsqlParameter { Value = burst });
        await limits.ExecuteNonQueryAsync();
        return tenant.Id;
    }

    private sealed class RecordingObserver : ITenantObserver
    {
        public ConcurrentQueue<(Guid, TenantWatchTicket)> Heard { get; } = new();

        public void SettingsChanged(Guid tenantId, TenantWatchTicket ticket) => Heard.Enqueue((tenantId, ticket));
    }

    private sealed class RecordingCache : ITenantSettingsCache
    {
        public ConcurrentQueue<Guid> Evicted { get; } = new();

        public void Evict(Guid tenantId) => Evicted.Enqueue(tenantId);
    }
}
