// Two api nodes, clients of one silo that hosts no HTTP traffic of theirs, share each tenant's
// bucket through its grain: concurrent traffic through both is admitted within docs/0006's
// bound, and a settings change made through one node governs the next requests on both (the
// tenant grain tells both to drop their leased tokens and remembered refusals, docs/0021). Not
// covered: more than two nodes (the bound is per node; nothing else changes).
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Tenants.RateLimits;

public sealed class TwoNodeRateLimitTests : IAsyncLifetime
{
    private string _connectionString = "";
    private NotiflyNode _silo = null!;
    private NotiflyNode _a = null!;
    private NotiflyNode _b = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        _connectionString = await postgres.CreateDatabaseAsync("ratelimits");
        _silo = await NotiflyNode.StartAsync(_connectionString, role: NotiflyRole.Worker);
        _a = await NotiflyNode.StartAsync(_connectionString, _silo.GatewaySettings(), NotiflyRole.Api);
        _b = await NotiflyNode.StartAsync(_connectionString, _silo.GatewaySettings(), NotiflyRole.Api);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _silo.DisposeAsync();
    }

    [Fact]
    public async Task An_api_node_hosts_no_grains_and_leases_through_the_tenants_grain_on_the_silo()
    {
        _a.Services.GetService<ILocalSiloDetails>().Should().BeNull("an api node runs no silo");
        var tenant = await _a.CreateTenantAsync();

        await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));

        var grainId = _silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(tenant.Id).GetGrainId();
        var management = _silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var activations = await management.GetDetailedGrainStatistics();
        activations.Should().Contain(a => a.GrainId == grainId, "the api node's lease activated the tenant's grain in the silo");
        (await RateLimitProbe.LeasesAsync(_connectionString, tenant.Id)).Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_requests_through_two_nodes_are_admitted_within_the_documented_bound()
    {
        const int limit = 100; // burst; the block is then 100 / 20 = 5 tokens
        const int block = 5;
        const int nodes = 2;
        const double refillPerSecond = limit / 60.0;
        var tenant = await _a.CreateTenantAsync();
        await tenant.Http.SetLimitsAsync(perMinute: limit, perHour: 100_000, burst: limit);
        using var viaB = _b.Client(tenant.AdminKey);

        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(32);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 3 * limit).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var response = await (i % 2 == 0 ? tenant.Http : viaB).SendAsync(Calls.Webhook("http://127.0.0.1:9/"));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    response.Headers.Contains("Retry-After").Should().BeTrue();
                }

                return response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));
        var refill = (int)Math.Ceiling(clock.Elapsed.TotalSeconds * refillPerSecond);

        var accepted = statuses.Count(s => s == HttpStatusCode.Accepted);
        statuses.Should().OnlyContain(s => s == HttpStatusCode.Accepted || s == HttpStatusCode.TooManyRequests);
        // Tokens die with their lease, so the nodes can admit no more than the bucket issued;
        // they may admit less by what each held unspent when the traffic stopped (one block).
        accepted.Should().BeInRange(limit - (nodes * block), limit + (nodes * block) + refill);
        (await RateLimitProbe.NotificationsAsync(_connectionString, tenant.Id)).Should().Be(accepted);
    }

    [Fact]
    public async Task Settings_changed_through_one_node_govern_the_next_requests_on_both()
    {
        var tenant = await _a.CreateTenantAsync();
        using var viaB = _b.Client(tenant.AdminKey);
        // Default limits: both nodes now hold a leased block of 50 tokens.
        await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        await viaB.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));

        await tenant.Http.SetLimitsAsync(perMinute: 1, perHour: 1000, burst: 2);

        // Without the tenant grain's word, B would go on spending its 49 leased tokens for up to a
        // lease lifetime (1 s). Back to back, it gets the 2 the clamped bucket holds, plus whatever
        // it served from its old stock while the word was on its way (a request or two at most).
        var acceptedOnB = 0;
        for (var i = 0; i < 40; i++)
        {
            var response = await viaB.SendAsync(Calls.Webhook("http://127.0.0.1:9/"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                break;
            }

            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            acceptedOnB++;
        }

        acceptedOnB.Should().BeInRange(0, 2 + 3);
        (await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/"))).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        // Raised again: A and B must both forget the minute-long refusal they remember (without
        // the tenant grain's word they would refuse for a minute, far past these deadlines).
        await viaB.SetLimitsAsync(perMinute: 60_000, perHour: 100_000, burst: 100);
        await Eventually.MatchAsync(() => tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/")),
            r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(10), "node A to apply the raised limit");
        await Eventually.MatchAsync(() => viaB.SendAsync(Calls.Webhook("http://127.0.0.1:9/")),
            r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(10), "node B to apply the raised limit");
    }
}
