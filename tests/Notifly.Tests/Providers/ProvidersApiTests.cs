using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Security;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Providers;

// Covers /api/admin/providers on a real node and database: credentials are sealed at rest, never
// returned, never logged or audited in the clear, and kept when a replace leaves them out; bad
// input gets field errors and stores nothing; tenants cannot reach each other's providers; a key
// rotation re-seals stored credentials so the old key can go.
// Not covered: delivery through the providers (ProviderFailoverTests).
public sealed class ProvidersApiTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>
{
    [Fact]
    public async Task Credentials_are_sealed_at_rest_and_never_shown_logged_or_audited()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();

        using var created = await tenant.Http.PostAsJsonAsync("/api/admin/providers", ProviderFixture.Twilio("main", 1, twilio));
        var body = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, body);
        body.Should().NotContain(FakeTwilio.AuthToken);
        var provider = JsonDocument.Parse(body).RootElement;
        provider.GetProperty("credentials").EnumerateArray().Select(e => e.GetString()).Should().Equal("authToken");
        provider.GetProperty("channel").GetString().Should().Be("SMS");
        var id = provider.GetProperty("id").GetGuid();

        (await tenant.Http.GetStringAsync("/api/admin/providers")).Should().NotContain(FakeTwilio.AuthToken).And.Contain(id.ToString());
        (await tenant.Http.GetStringAsync($"/api/admin/providers/{id}")).Should().NotContain(FakeTwilio.AuthToken);

        // Used once, so this node holds the provider; the replace below must reach it all the same.
        await SendSmsAsync(tenant);
        twilio.Messages.Single().Form["From"].Should().Be("+15005550006");

        // A replace without credentials keeps them: the provider still authenticates.
        using var replaced = await tenant.Http.PutAsJsonAsync($"/api/admin/providers/{id}", new
        {
            name = "main",
            kind = "twilio",
            priority = 5,
            settings = new { accountSid = FakeTwilio.AccountSid, from = "+15005550007", baseUrl = twilio.BaseAddress },
        });
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        (await replaced.ReadAsync<JsonElement>()).GetProperty("credentials").GetArrayLength().Should().Be(1);
        // Each node drops its copy when the tenant grain announces the change, a moment after the commit.
        await Eventually.MatchAsync(async () =>
        {
            await SendSmsAsync(tenant);
            return twilio.Messages[^1].Form["From"];
        }, from => from == "+15005550007", because: "the replaced settings reach the dispatcher");

        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using (var row = dataSource.CreateCommand("SELECT credentials, settings::text FROM providers WHERE id = $1"))
        {
            row.Parameters.Add(new NpgsqlParameter { Value = id });
            await using var reader = await row.ExecuteReaderAsync();
            (await reader.ReadAsync()).Should().BeTrue();
            var sealedValue = reader.GetFieldValue<byte[]>(0);
            Encoding.UTF8.GetString(sealedValue).Should().NotContain(FakeTwilio.AuthToken);
            SecretBox.KeyIdOf(sealedValue).Should().Be("test-1");
            reader.GetString(1).Should().NotContain(FakeTwilio.AuthToken);
        }

        await using (var audit = dataSource.CreateCommand("SELECT string_agg(changes::text, ' ') FROM admin_audit_logs WHERE resource_type = 'provider' AND resource_id = $1"))
        {
            audit.Parameters.Add(new NpgsqlParameter { Value = id.ToString() });
            var changes = (string)(await audit.ExecuteScalarAsync())!;
            changes.Should().Contain("authToken").And.NotContain(FakeTwilio.AuthToken);
        }

        fixture.Logs.Lines.Should().NotContain(line => line.Contains(FakeTwilio.AuthToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_input_is_refused_field_by_field_and_stores_nothing()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();

        await RefusedAsync(tenant, new { name = "x", kind = "pigeon" }, "kind");
        await RefusedAsync(tenant, new { name = "", kind = "twilio" }, "name");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "twilio",
            settings = new { accountSid = FakeTwilio.AccountSid, from = "+15005550006", authToken = "leaked" },
        }, "settings.authToken");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "twilio",
            settings = new { accountSid = FakeTwilio.AccountSid },
            credentials = new { authToken = "t", from = "+15005550006" },
        }, "credentials.from");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "twilio", settings = new { accountSid = "AC123", from = "+15005550006" }, credentials = new { authToken = "t" },
        }, "settings.accountSid");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "twilio", settings = new { accountSid = FakeTwilio.AccountSid, form = "+15005550006" }, credentials = new { authToken = "t" },
        }, "settings.form");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "fcm", settings = new { serviceAccountFile = "/etc/passwd" },
        }, "settings.serviceAccountFile");
        await RefusedAsync(tenant, new
        {
            name = "x", kind = "twilio", maxConcurrency = 100_000,
            settings = new { accountSid = FakeTwilio.AccountSid, from = "+15005550006" }, credentials = new { authToken = "t" },
        }, "maxConcurrency");

        (await tenant.Http.GetFromJsonAsync<JsonElement>("/api/admin/providers")).GetArrayLength().Should().Be(0);

        await ProviderFailoverTests.CreateAsync(tenant, ProviderFixture.Twilio("main", 1, twilio));
        using var taken = await tenant.Http.PostAsJsonAsync("/api/admin/providers", ProviderFixture.Twilio("main", 2, twilio));
        taken.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await taken.ProblemAsync()).GetProperty("code").GetString().Should().Be("CONFLICT");
    }

    [Fact]
    public async Task A_tenant_cannot_see_or_change_another_tenants_providers()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var owner = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        var id = await ProviderFailoverTests.CreateAsync(owner, ProviderFixture.Twilio("main", 1, twilio));

        (await other.Http.GetAsync($"/api/admin/providers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Http.PutAsJsonAsync($"/api/admin/providers/{id}", ProviderFixture.Twilio("mine", 1, twilio))).StatusCode
            .Should().Be(HttpStatusCode.NotFound);
        (await other.Http.DeleteAsync($"/api/admin/providers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Http.GetFromJsonAsync<JsonElement>("/api/admin/providers")).GetArrayLength().Should().Be(0);

        (await owner.Http.GetAsync($"/api/admin/providers/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await owner.Http.DeleteAsync($"/api/admin/providers/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await owner.Http.GetAsync($"/api/admin/providers/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_rotation_reseals_credentials_so_the_old_key_can_be_removed()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync("rotation");
        const string newKey = "bmV3LWtleS0zMi1ieXRlcy1sb25nLWZvci10ZXN0cyE=";
        Guid id;
        TestTenant tenant;
        await using (var before = await NotiflyNode.StartAsync(database, ProviderFixture.Settings()))
        {
            tenant = await before.CreateTenantAsync();
            id = await ProviderFailoverTests.CreateAsync(tenant, ProviderFixture.Twilio("main", 1, twilio));
        }

        var rotated = ProviderFixture.Settings();
        rotated["Notifly:Secrets:Keys:test-1"] = NotiflyNode.TestSecretsKey;
        rotated["Notifly:Secrets:Keys:test-2"] = newKey;
        rotated["Notifly:Secrets:ActiveKey"] = "test-2";
        await using (await NotiflyNode.StartAsync(database, rotated))
        {
            await Eventually.MatchAsync(() => KeyIdAsync(database, id), key => key == "test-2", because: "the worker re-seals at start");
        }

        // Only the new key now: the provider's credentials still open and it still sends.
        var onlyNew = ProviderFixture.Settings();
        onlyNew["Notifly:Secrets:Keys:test-2"] = newKey;
        onlyNew["Notifly:Secrets:ActiveKey"] = "test-2";
        await using var after = await NotiflyNode.StartAsync(database, onlyNew);
        var http = after.Client(tenant.AdminKey);
        var accepted = await http.SendOkAsync(new
        {
            eventType = "order.shipped", channels = new[] { "SMS" }, recipient = new { phone = "+15558675310" }, payload = new { order = 1 },
        });
        await http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        twilio.Messages.Should().ContainSingle();
    }

    private static async Task SendSmsAsync(TestTenant tenant)
    {
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped", channels = new[] { "SMS" }, recipient = new { phone = "+15558675310" }, payload = new { order = 1 },
        });
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
    }

    private static async Task RefusedAsync(TestTenant tenant, object request, string field)
    {
        using var response = await tenant.Http.PostAsJsonAsync("/api/admin/providers", request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue($"{field} is at fault in {body}");
        body.Should().NotContain("leaked");
    }

    private static async Task<string?> KeyIdAsync(string database, Guid id)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT credentials FROM providers WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return SecretBox.KeyIdOf((byte[])(await command.ExecuteScalarAsync())!);
    }
}
