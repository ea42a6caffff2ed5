// GET/PUT /api/admin/settings: seed 000's defaults for a tenant that set nothing, a PUT stored,
// returned and audited, 400 VALIDATION_FAILED naming each bad field, and ADMIN keys only. What
// the limits do to traffic is in RestRateLimitTests and TwoNodeRateLimitTests.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;

namespace Notifly.Tests.Tenants.RateLimits;

public class SettingsApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Tenant_without_settings_gets_the_seed_defaults()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();

        settings.RateLimits.Should().Be(new RateLimitSettings(1000, 50_000, 5000));
    }

    [Fact]
    public async Task Put_stores_the_limits_and_audits_the_change()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        await tenant.Http.SetLimitsAsync(perMinute: 120, perHour: 3000, burst: 40);

        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        settings.RateLimits.Should().Be(new RateLimitSettings(120, 3000, 40));
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT changes::text FROM admin_audit_logs WHERE tenant_id = $1 AND action = 'settings.updated'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.Id });
        var changes = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement;
        changes.GetProperty("before").GetProperty("rateLimits").GetProperty("requestsPerMinute").GetInt32().Should().Be(1000);
        changes.GetProperty("after").GetProperty("rateLimits").GetProperty("burstLimit").GetInt32().Should().Be(40);
    }

    [Fact]
    public async Task Put_with_bad_values_is_refused_naming_each_field()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var response = await tenant.Http.PutAsJsonAsync("/api/admin/settings",
            new { rateLimits = new { requestsPerMinute = 0, burstLimit = -5 } }, Json.Options);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().BeEquivalentTo(
            "rateLimits.requestsPerMinute", "rateLimits.requestsPerHour", "rateLimits.burstLimit");
        var missing = await tenant.Http.PutAsJsonAsync("/api/admin/settings", new { }, Json.Options);
        (await missing.ProblemAsync()).GetProperty("errors").EnumerateObject().Single().Name.Should().Be("rateLimits");
        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        settings.RateLimits!.RequestsPerMinute.Should().Be(1000, "nothing was stored");
    }

    [Fact]
    public async Task Service_keys_may_not_read_or_change_settings()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var created = await (await tenant.Http.PostAsJsonAsync("/api/admin/api-keys", new { name = "svc", role = "SERVICE" }))
            .ReadAsync<CreatedApiKey>();
        using var service = fixture.Node.Client(created.Secret);

        (await service.GetAsync("/api/admin/settings")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await service.PutAsJsonAsync("/api/admin/settings",
            new { rateLimits = new { requestsPerMinute = 1, requestsPerHour = 1, burstLimit = 1 } })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
