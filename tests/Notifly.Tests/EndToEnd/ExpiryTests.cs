// expiresAt through a real node: a webhook whose receiver keeps answering 503 with a Retry-After
// longer than the notification has left ends EXPIRED after its one attempt — audited, with no
// dead letter and nothing sent late — and the request's expiresAt is shown back.
using System.Net.Http.Json;
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
    public async Task The_event_types_time_to_live_gives_a_request_without_expiresAt_one()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(503, retryAfter: TimeSpan.FromMinutes(10)); // longer than the time-to-live
        var put = await tenant.Http.PutAsJsonAsync("/api/admin/settings", new
        {
            retryPolicies = new
            {
                eventTypes = new Dictionary<string, object>
                {
                    ["otp.code"] = new { maxAttempts = 5, initialDelayMs = 1000, maxDelayMs = 60000, backoffMultiplier = 2, ttlSeconds = 300 },
                },
            },
        });
        ((int)put.StatusCode).Should().Be(200, await put.Content.ReadAsStringAsync());
        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).Content.ReadAsStringAsync();
        settings.Should().Contain("\"ttlSeconds\":300");

        var before = DateTimeOffset.UtcNow;
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, eventType: "otp.code"));
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Expired, Wait);

        details.Notification.ExpiresAt.Should().BeOnOrAfter(before.AddSeconds(300)).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(300));
        receiver.Requests.Should().HaveCount(1, "the retry the receiver asked for would come after the five minutes");

        // Another event type has no time-to-live: the same failure retries instead.
        var other = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, eventType: "newsletter"));
        (await tenant.Http.WaitForStatusAsync(other.RequestId, NotificationStatus.Retrying, Wait)).Notification.ExpiresAt.Should().BeNull();
    }

    [Fact]
    public async Task A_time_to_live_out_of_range_is_refused()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var put = await tenant.Http.PutAsJsonAsync("/api/admin/settings", new
        {
            retryPolicies = new { @default = new { maxAttempts = 5, initialDelayMs = 1000, maxDelayMs = 60000, backoffMultiplier = 2, ttlSeconds = 0 } },
        });

        ((int)put.StatusCode).Should().Be(400);
        (await put.Content.ReadAsStringAsync()).Should().Contain("retryPolicies.default.ttlSeconds");
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
