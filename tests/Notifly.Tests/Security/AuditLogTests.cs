// The audit log on a real node and database: every kind of administrative change (keys, users,
// settings, templates, providers, status webhooks, dead-letter actions, a tenant's suspension)
// records who, what, the resource, the changes without secrets, the address and the user agent;
// GET /api/admin/audit-logs filters and pages them, shows one tenant's rows only, and the rows
// can be neither changed nor deleted.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Queries;
using Notifly.Tests.Providers;
using Notifly.Tests.Support;
using Notifly.Tests.Users;
using Npgsql;

namespace Notifly.Tests.Security;

public class AuditLogTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Agent = "audit-test/1.0";

    [Fact]
    public async Task Every_kind_of_change_is_recorded_with_who_where_and_no_secret()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(fixture.Node);
        var admin = tenant.Http;
        admin.DefaultRequestHeaders.UserAgent.ParseAdd(Agent);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var twilio = await FakeTwilio.StartAsync();

        // Keys.
        var created = await (await admin.PostAsJsonAsync("/api/admin/api-keys", new { name = "backend", role = "SERVICE" })).ReadAsync<JsonElement>();
        var serviceSecret = created.GetProperty("secret").GetString()!;
        (await admin.DeleteAsync($"/api/admin/api-keys/{created.GetProperty("key").GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        // Users (the editor then acts, so a user's rows are there too).
        var editor = await UserSessions.SignUpAsync(fixture.Node, admin, slug, "EDITOR");
        var editorClient = editor.Client(fixture.Node);
        editorClient.DefaultRequestHeaders.UserAgent.ParseAdd(Agent);
        // Settings, templates, providers.
        (await admin.PutAsJsonAsync("/api/admin/settings", new { rateLimits = new { requestsPerMinute = 100, requestsPerHour = 1000, burstLimit = 50 } }))
            .EnsureSuccessStatusCode();
        (await editorClient.PostAsJsonAsync("/api/admin/templates",
            new { name = "welcome", channel = "EMAIL", subject = "Hi {{name}}", body = "Welcome, {{name}}" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/admin/providers", ProviderFixture.Twilio("sms", 1, twilio))).EnsureSuccessStatusCode();
        // Status webhooks, with a header that carries a credential.
        var endpoint = await admin.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created],
            new Dictionary<string, string> { ["X-Receiver-Token"] = "receiver-secret-value" });
        (await admin.PostAsync($"/api/webhooks/{endpoint.Endpoint.Id}/rotate-secret", null)).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"/api/webhooks/{endpoint.Endpoint.Id}")).EnsureSuccessStatusCode();
        // Dead letters: one retried by the editor, one deleted.
        receiver.SetDefault(404);
        var first = await admin.SendOkAsync(Calls.Webhook(receiver.Url));
        var second = await admin.SendOkAsync(Calls.Webhook(receiver.Url));
        await admin.WaitForStatusAsync(first.RequestId, NotificationStatus.Failed);
        await admin.WaitForStatusAsync(second.RequestId, NotificationStatus.Failed);
        var dead = (await (await admin.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items;
        (await editorClient.PostAsync($"/api/admin/dlq/{dead.Single(d => d.RequestId == first.RequestId).Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await admin.DeleteAsync($"/api/admin/dlq/{dead.Single(d => d.RequestId == second.RequestId).Id}")).EnsureSuccessStatusCode();
        // The operator's suspension and resumption.
        var operatorApi = fixture.Node.OperatorClient();
        operatorApi.DefaultRequestHeaders.UserAgent.ParseAdd(Agent);
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "ACTIVE" })).EnsureSuccessStatusCode();

        var rows = await AllAsync(admin, "");
        var actions = rows.Select(r => r.Action).ToList();
        actions.Should().Contain(
        [
            "tenant.created", "api_key.created", "api_key.revoked", "user.invited", "user.password_set", "settings.updated",
            "template.created", "provider.created", "webhook.created", "webhook.secret_rotated", "webhook.deleted",
            "dead_letter.retried", "dead_letter.deleted", "tenant.suspended", "tenant.resumed",
        ]);

        // The tenant's creation came from the helper's client, without the agent; a set-password link is anonymous.
        rows.Where(r => r.Actor == "operator" && r.Action != "tenant.suspended" && r.Action != "tenant.resumed")
            .Should().OnlyContain(r => r.IpAddress == "127.0.0.1");
        var byApi = rows.Where(r => r.Actor != "operator" || r.Action is "tenant.suspended" or "tenant.resumed")
            .Where(r => r.Action != "user.password_set").ToList();
        byApi.Should().OnlyContain(r => r.IpAddress == "127.0.0.1" && r.UserAgent == Agent, "each change names its request's address and agent");
        var retried = rows.Single(r => r.Action == "dead_letter.retried");
        retried.Actor.Should().Be($"user:{editor.Email}");
        retried.UserId.Should().Be(editor.Id);
        rows.Single(r => r.Action == "template.created").UserId.Should().Be(editor.Id);
        rows.Single(r => r.Action == "api_key.revoked").Actor.Should().StartWith("api_key:").And.Subject.Should().NotContain(".");
        rows.Single(r => r.Action == "webhook.created").Changes!.Value.GetProperty("headers")[0].GetString().Should().Be("X-Receiver-Token");

        var everything = string.Join('\n', rows.Select(r => JsonSerializer.Serialize(r)));
        everything.Should().NotContainAny(
            serviceSecret, serviceSecret.Split('.')[1], FakeTwilio.AuthToken, "receiver-secret-value", endpoint.Secret, UserSessions.Password);
    }

    [Fact]
    public async Task The_log_filters_pages_and_shows_one_tenant_only()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(fixture.Node);
        var other = await fixture.Node.CreateTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            await UserSessions.InviteAsync(tenant.Http, $"p{i}-{Guid.NewGuid():N}@example.com", "VIEWER");
        }

        var invited = await AllAsync(tenant.Http, "action=user.invited&limit=2");
        invited.Should().HaveCount(5).And.OnlyContain(r => r.Action == "user.invited");
        invited.Select(r => r.Id).Should().BeInDescendingOrder();
        (await AllAsync(tenant.Http, "resourceType=tenant")).Select(r => r.Action).Should().Equal("tenant.created");
        (await AllAsync(tenant.Http, $"from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")).Should().BeEmpty();

        (await AllAsync(other.Http, "action=user.invited")).Should().BeEmpty("another tenant's rows are invisible");
        using var badCursor = await tenant.Http.GetAsync("/api/admin/audit-logs?cursor=bm90LWEtY3Vyc29y");
        badCursor.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var viewer = await UserSessions.SignUpAsync(fixture.Node, tenant.Http, slug, "VIEWER");
        (await viewer.Client(fixture.Node).GetAsync("/api/admin/audit-logs")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("UPDATE admin_audit_logs SET actor = 'someone else'")]
    [InlineData("DELETE FROM admin_audit_logs")]
    [InlineData("TRUNCATE admin_audit_logs")]
    public async Task Rows_can_be_neither_changed_nor_removed(string sql)
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        foreach (var role in new[] { "the owning role", "the tenant role" })
        {
            await using var transaction = await connection.BeginTransactionAsync();
            if (role == "the tenant role")
            {
                await using var scope = new NpgsqlCommand(
                    $"SELECT set_config('notifly.tenant_id', '{tenant.Id}', true); SET LOCAL ROLE notifly_tenant", connection, transaction);
                await scope.ExecuteNonQueryAsync();
            }

            await using var command = new NpgsqlCommand(sql, connection, transaction);
            var act = () => command.ExecuteNonQueryAsync();
            (await act.Should().ThrowAsync<PostgresException>(role)).Which.SqlState.Should().Be(PostgresErrorCodes.InsufficientPrivilege);
            await transaction.RollbackAsync();
        }
    }

    private static async Task<List<AuditLogEntry>> AllAsync(HttpClient client, string query)
    {
        var rows = new List<AuditLogEntry>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync($"/api/admin/audit-logs?{query}{(cursor is null ? "" : $"&cursor={cursor}")}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = await response.ReadAsync<Page<AuditLogEntry>>();
            rows.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return rows;
    }
}
