// API keys (seed 000): created once with the secret shown only then, listed without secrets,
// revoked so that the very next request fails — on this node and on an api node of the same
// cluster, whose cached key the tenant's grain tells it to drop (docs/0021); a request that reads
// or writes also re-checks the key in its own transaction.
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Tenants;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class ApiKeyTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Creates_lists_and_revokes_keys_without_ever_listing_secrets()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var created = await CreateKeyAsync(tenant, "backend", "SERVICE");
        created.Secret.Should().StartWith("nf_live_" + created.Key.Prefix + ".");

        var listText = await (await tenant.Http.GetAsync("/api/admin/api-keys")).Content.ReadAsStringAsync();
        listText.Should().NotContain(created.Secret.Split('.')[1]).And.NotContain("hash");
        var list = JsonSerializer.Deserialize<List<ApiKeyInfo>>(listText, Grains.Storage.Json.Options)!;
        list.Should().HaveCount(2).And.Contain(k => k.Id == created.Key.Id && k.Role == "SERVICE" && k.RevokedAt == null);

        list.Single(k => k.Id == created.Key.Id).LastUsedAt.Should().BeNull("it has not been used yet");
        using (var service = fixture.Node.Client(created.Secret))
        {
            (await service.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var used = await (await tenant.Http.GetAsync("/api/admin/api-keys")).ReadAsync<List<ApiKeyInfo>>();
        used.Single(k => k.Id == created.Key.Id).LastUsedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));

        (await tenant.Http.DeleteAsync($"/api/admin/api-keys/{created.Key.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var after = await (await tenant.Http.GetAsync("/api/admin/api-keys")).ReadAsync<List<ApiKeyInfo>>();
        after.Single(k => k.Id == created.Key.Id).RevokedAt.Should().NotBeNull();
        (await tenant.Http.DeleteAsync($"/api/admin/api-keys/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rejects_bad_key_requests()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var noName = await tenant.Http.PostAsync("/api/admin/api-keys", Json("{\"role\":\"SERVICE\"}"));
        noName.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var badRole = await tenant.Http.PostAsync("/api/admin/api-keys", Json("{\"name\":\"x\",\"role\":\"ROOT\"}"));
        (await badRole.ProblemAsync()).GetProperty("errors").TryGetProperty("role", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Revoked_key_fails_on_the_very_next_request_on_every_node()
    {
        await using var other = await NotiflyNode.StartAsync(fixture.ConnectionString, fixture.Node.GatewaySettings(), NotiflyRole.Api);
        var tenant = await fixture.Node.CreateTenantAsync();
        var created = await CreateKeyAsync(tenant, "doomed", "SERVICE");
        using var here = fixture.Node.Client(created.Secret);
        using var there = other.Client(created.Secret);

        // Warm both nodes' caches with the key while it is valid.
        var request = Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: "before-revoke");
        (await here.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await there.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK);

        var cached = other.Services.GetRequiredService<ApiKeyCache>();
        cached.TryGet(created.Key.Prefix, out _).Should().BeTrue("the api node cached the key");

        (await tenant.Http.DeleteAsync($"/api/admin/api-keys/{created.Key.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await Eventually.MatchAsync(() => Task.FromResult(cached.TryGet(created.Key.Prefix, out _)), c => !c, TimeSpan.FromSeconds(10),
            "the tenant's grain to tell the api node (the entry would otherwise live a minute)");

        (await there.SendAsync(Calls.Webhook("http://127.0.0.1:9/"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await there.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "no replay for a revoked key");
        (await there.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await here.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var problem = await (await here.SendAsync(Calls.Webhook("http://127.0.0.1:9/"))).ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("INVALID_API_KEY");
    }

    private static async Task<CreatedApiKey> CreateKeyAsync(TestTenant tenant, string name, string role)
    {
        var response = await tenant.Http.PostAsync("/api/admin/api-keys", Json($"{{\"name\":\"{name}\",\"role\":\"{role}\"}}"));
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return await response.ReadAsync<CreatedApiKey>();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
