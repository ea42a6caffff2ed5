// Status webhooks on a node with Kafka on, where intake's statement and the turns also write the
// outbox: both writes go in the same transaction and neither crowds out the other. The outbox's
// own behaviour is in OutboxRelayTests.
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Kafka;
using Notifly.Tests.Support;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookWithKafkaTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Created_and_sent_events_arrive_while_the_outbox_is_written_too()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = TopicRecorder.Start(fixture.BootstrapServers, fixture.Topics.Status, KafkaNodeFixture.Partitions);
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created, StatusWebhookEvents.Sent]);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        var calls = await receiver.WaitForRequestsAsync(2, Wait);

        calls.Select(r => r.Document().GetProperty("type").GetString()).Should().BeEquivalentTo([StatusWebhookEvents.Created, StatusWebhookEvents.Sent]);
        calls.Should().OnlyContain(r => r.VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow)
                                        && r.Document().GetProperty("data").GetProperty("notificationId").GetGuid() == accepted.RequestId);
        // The relay deletes what it published, so the outbox rows are seen on the topic, not in the table.
        await status.WaitForAsync(m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 3, Wait,
            "ACCEPTED, PROCESSING and SENT went to the outbox as well");
    }
}
