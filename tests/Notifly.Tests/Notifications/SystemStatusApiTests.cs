// GET /api/admin/system, the overview's health panel: PostgreSQL's round trip, the silos active,
// and the caller's own status events waiting in the outbox for Kafka, never another tenant's.
using System.Text.Json;
using Npgsql;
using Notifly.Tests.Support;

namespace Notifly.Tests.Notifications;

public sealed class SystemStatusApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Reports_the_database_the_silos_and_only_the_callers_outbox_backlog()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        // This node has no Kafka, so no relay: rows written here stay pending, as behind a broker outage.
        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var age in new[] { 90, 10 })
            {
                await using var insert = new NpgsqlCommand(
                    """
                    INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at)
                    VALUES ($1, $2, 'notification.status', '{}', now() - make_interval(secs => $3))
                    """, connection)
                {
                    Parameters = { new() { Value = tenant.Id }, new() { Value = Guid.CreateVersion7() }, new() { Value = (double)age } },
                };
                await insert.ExecuteNonQueryAsync();
            }
        }

        var status = await (await tenant.Http.GetAsync("/api/admin/system")).ReadAsync<JsonElement>();
        status.GetProperty("database").GetProperty("latencyMs").GetDouble().Should().BeGreaterThan(0);
        status.GetProperty("cluster").GetProperty("activeSilos").GetInt32().Should().Be(1);
        var kafka = status.GetProperty("kafka");
        kafka.GetProperty("configured").GetBoolean().Should().BeFalse();
        kafka.GetProperty("statusEventsPending").GetInt32().Should().Be(2);
        kafka.GetProperty("oldestPendingSeconds").GetDouble().Should().BeInRange(89, 600);

        var others = (await (await other.Http.GetAsync("/api/admin/system")).ReadAsync<JsonElement>()).GetProperty("kafka");
        others.GetProperty("statusEventsPending").GetInt32().Should().Be(0, "another tenant's backlog is not this one's");
        others.TryGetProperty("oldestPendingSeconds", out var none).Should().BeFalse("the API leaves nulls out, but found {0}", none);
    }
}
