// No tenant sees another's data: over HTTP (another tenant's id is a 404, never a 403, and
// lists hold only one's own) and in the database itself, where Row Level Security confines a
// tenant-scoped query that names no tenant at all.
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class TenantIsolationTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Another_tenants_notification_is_not_found_over_http()
    {
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        var mine = await a.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: "x"));

        (await b.Http.GetAsync($"/api/notifications/{mine.RequestId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await b.Http.GetAsync($"/api/notifications/{mine.RequestId}/events")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await b.Http.PostAsync($"/api/notifications/{mine.RequestId}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await b.Http.GetAsync("/api/notifications")).ReadAsync<Page<NotificationView>>()).Items.Should().BeEmpty();
        (await (await a.Http.GetAsync("/api/notifications")).ReadAsync<Page<NotificationView>>()).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task Another_tenants_dead_letters_and_keys_are_out_of_reach()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(400);
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        var mine = await a.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await a.Http.WaitForStatusAsync(mine.RequestId, NotificationStatus.Failed);
        var entry = (await (await a.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Single();
        var keys = await (await a.Http.GetAsync("/api/admin/api-keys")).ReadAsync<List<Grains.Tenants.ApiKeyInfo>>();

        (await (await b.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Should().BeEmpty();
        (await b.Http.PostAsync($"/api/admin/dlq/{entry.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await b.Http.DeleteAsync($"/api/admin/dlq/{entry.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await b.Http.DeleteAsync($"/api/admin/api-keys/{keys.Single().Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await a.Http.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK, "b could not revoke a's key");
    }

    [Fact]
    public async Task Row_level_security_confines_a_query_without_a_tenant_filter()
    {
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await a.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        }

        await b.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));

        var database = fixture.Node.Services.GetRequiredService<Database>();
        foreach (var (tenant, expected) in new[] { (a, 3L), (b, 1L) })
        {
            await using var scope = await database.BeginTenantScopeAsync(tenant.Id, null, CancellationToken.None);
            foreach (var table in new[] { "notifications", "reminders", "notification_events" })
            {
                await using var count = scope.Command($"SELECT count(*) FROM {table} WHERE tenant_id <> $1");
                count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.Id });
                ((long)(await count.ExecuteScalarAsync())!).Should().Be(0, $"{table} must hide other tenants' rows");
            }

            await using var all = scope.Command("SELECT count(*) FROM notifications");
            ((long)(await all.ExecuteScalarAsync())!).Should().Be(expected);
            await using var tenants = scope.Command("SELECT count(*) FROM tenants");
            ((long)(await tenants.ExecuteScalarAsync())!).Should().Be(1);
        }
    }

    [Fact]
    public async Task Row_level_security_refuses_writes_into_another_tenant()
    {
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        var database = fixture.Node.Services.GetRequiredService<Database>();

        await using var scope = await database.BeginTenantScopeAsync(a.Id, null, CancellationToken.None);
        await using var insert = scope.Command(
            "INSERT INTO notification_events (tenant_id, notification_id, event, created_at) VALUES ($1, $2, 'FORGED', now())");
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = b.Id });
        // a notification id as intake makes them, so the row has a partition to go to (migration 0027)
        insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Guid.CreateVersion7() });
        var act = () => insert.ExecuteNonQueryAsync();
        (await act.Should().ThrowAsync<Npgsql.PostgresException>()).Which.SqlState.Should().Be("42501", "row-level security violation");
    }
}
