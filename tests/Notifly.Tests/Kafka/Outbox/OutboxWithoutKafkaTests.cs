// A node without Kafka settings (the REST-only deployment) must not pay for the outbox: no
// rows, so nothing piles up that no relay would ever publish. The relay itself is covered by
// OutboxRelayTests.
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Kafka.Outbox;

public sealed class OutboxWithoutKafkaTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Writes_no_outbox_rows_when_Kafka_is_not_configured()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EnqueueResponse(500); // a retry and its status changes too

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, TimeSpan.FromSeconds(20));

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM notification_outbox WHERE tenant_id = $1", connection)
        {
            Parameters = { new NpgsqlParameter { Value = tenant.Id } },
        };
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
    }
}
