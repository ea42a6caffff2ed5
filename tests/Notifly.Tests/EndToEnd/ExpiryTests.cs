// expiresAt through a real node: a webhook whose receiver keeps answering 503 with a Retry-After
// longer than the notification has left ends EXPIRED after its one attempt — audited, with no
// dead letter and nothing sent late — and the request's expiresAt is shown back.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class ExpiryTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_notification_that_cannot_be_sent_before_it_expires_ends_expired_not_dead_lettered()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(503, retryAfter: TimeSpan.FromSeconds(30));
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(10);

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "flash.sale",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = receiver.Url },
            payload = new { ends = "soon" },
            expiresAt,
        });
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Expired, Wait);

        details.Notification.ExpiresAt.Should().BeCloseTo(expiresAt, TimeSpan.FromMilliseconds(1));
        details.Deliveries.Should().ContainSingle().Which.Status.Should().Be(DeliveryStatus.Expired);
        details.Logs.Should().ContainSingle().Which.ErrorCode.Should().Be("HTTP_503");
        receiver.Requests.Should().HaveCount(1, "the retry would have come after the expiry: it is never made");
        var events = await (await tenant.Http.GetAsync($"/api/notifications/{accepted.RequestId}/events")).ReadAsync<List<NotificationEventView>>();
        events.Select(e => e.Event).Should().Contain("EXPIRED").And.NotContain("DEAD_LETTERED");
        var dlq = await (await tenant.Http.GetAsync($"/api/admin/dlq?requestId={accepted.RequestId}")).ReadAsync<Page<DeadLetterView>>();
        dlq.Items.Should().BeEmpty();
        (await tenant.Http.PostAsync($"/api/notifications/{accepted.RequestId}/cancel", null)).StatusCode.Should().Be(System.Net.HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_notification_sent_in_time_is_sent_and_keeps_its_expiry()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "flash.sale",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = receiver.Url },
            payload = new { ends = "later" },
            expiresAt = DateTimeOffset.UtcNow.AddMinutes(5),
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        details.Notification.ExpiresAt.Should().NotBeNull();
    }
}
