// REST over a tenant's rate limit: 429 RATE_LIMIT_EXCEEDED with Retry-After and RateLimit-*
// headers, nothing stored, other tenants unaffected; batches admit the items that fit; a node
// touches the bucket row once per leased block, not per request. One node here; two nodes and
// settings propagation are in TwoNodeRateLimitTests, Kafka in KafkaRateLimitTests.
using System.Net;
using System.Net.Http.Json;
using Notifly.Api.Notifications;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.Tenants.RateLimits;

public class RestRateLimitTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Request_over_the_limit_gets_429_with_retry_after_and_stores_nothing()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        // Burst 5, refilled at one a minute: the sixth request finds the bucket empty.
        await tenant.Http.SetLimitsAsync(perMinute: 1, perHour: 1000, burst: 5);
        for (var i = 0; i < 5; i++)
        {
            await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        }

        var refused = await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/"));

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var problem = await refused.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("RATE_LIMIT_EXCEEDED");
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.Should().BeInRange(1, 60);
        refused.Headers.GetValues("RateLimit-Limit").Single().Should().Be("1");
        refused.Headers.GetValues("RateLimit-Remaining").Single().Should().Be("0");
        refused.Headers.GetValues("RateLimit-Reset").Single().Should().Be(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await RateLimitProbe.NotificationsAsync(fixture.ConnectionString, tenant.Id)).Should().Be(5);
    }

    [Fact]
    public async Task Another_tenant_is_unaffected_by_one_over_its_limit()
    {
        var limited = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        await limited.Http.SetLimitsAsync(perMinute: 1, perHour: 1000, burst: 1);
        await limited.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        (await limited.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/"))).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        for (var i = 0; i < 10; i++)
        {
            await other.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        }

        (await RateLimitProbe.NotificationsAsync(fixture.ConnectionString, other.Id)).Should().Be(10);
    }

    [Fact]
    public async Task Batch_admits_the_items_that_fit_and_refuses_the_rest_one_by_one()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await tenant.Http.SetLimitsAsync(perMinute: 1, perHour: 1000, burst: 3);
        var items = Enumerable.Range(0, 5).Select(_ => Calls.Webhook("http://127.0.0.1:9/")).ToArray();

        var partial = await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = items }, Json.Options);
        var body = await partial.ReadAsync<BatchResponse>();

        partial.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Results.Select(r => r.Status).Should().Equal(202, 202, 202, 429, 429);
        body.Results.Skip(3).Should().OnlyContain(r => r.ErrorCode == "RATE_LIMIT_EXCEEDED");
        partial.Headers.Contains("Retry-After").Should().BeTrue();

        var refused = await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = items }, Json.Options);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Headers.Contains("Retry-After").Should().BeTrue();
        (await RateLimitProbe.NotificationsAsync(fixture.ConnectionString, tenant.Id)).Should().Be(3);
    }

    [Fact]
    public async Task Node_touches_the_bucket_row_once_per_block_not_per_request()
    {
        // Seed defaults: 1000 a minute, burst 5000, so the block is 50 tokens.
        var tenant = await fixture.Node.CreateTenantAsync();
        const int requests = 300;
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
            }
            finally
            {
                gate.Release();
            }
        }));

        // 6 blocks of 50; a slow machine may let a lease expire with tokens unspent and take a few more.
        var leases = await RateLimitProbe.LeasesAsync(fixture.ConnectionString, tenant.Id);
        leases.Should().BeInRange(requests / 50, requests / 10);
    }
}
