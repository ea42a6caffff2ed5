using System.Net;
using System.Text;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Email;

// SendGrid's Signed Event Webhook through a whole node (docs/0016): a verified `delivered` moves a
// SENT email to DELIVERED once, `bounce` bounces it with SendGrid's code, `dropped` fails it into
// the dead-letter queue; other events and unknown messages are acknowledged and change nothing;
// forged, unsigned, altered and stale posts get 401 and change nothing. The key pair is made
// here, as SendGrid makes one per account; the node has only the public half.
public sealed class SendGridReceiptTests
{
    private static async Task<(FakeSendGrid SendGrid, NotiflyNode Node)> StartAsync()
    {
        var sendGrid = await FakeSendGrid.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("sgreceipts"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "EMAIL",
            ["Notifly:Channels:SendGrid:ApiKey"] = FakeSendGrid.ApiKey,
            ["Notifly:Channels:SendGrid:From"] = "no-reply@notifly.example",
            ["Notifly:Channels:SendGrid:BaseUrl"] = sendGrid.BaseAddress,
            ["Notifly:Channels:SendGrid:EventWebhookPublicKey"] = sendGrid.EventWebhook.PublicKey,
        });
        return (sendGrid, node);
    }

    private static async Task<(Guid Id, string MessageId)> SendEmailAsync(TestTenant tenant, FakeSendGrid sendGrid, string email)
    {
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "EMAIL" },
            recipient = new { email },
            payload = new { order = 42 },
        });
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        return (accepted.RequestId, sendGrid.Mails.Single(m => m.To == email).MessageId);
    }

    private static async Task<HttpResponseMessage> PostAsync(NotiflyNode node, HttpRequestMessage request)
    {
        using (request)
        {
            return await node.Client().SendAsync(request);
        }
    }

    private static async Task<List<NotificationEventView>> EventsAsync(TestTenant tenant, Guid id) =>
        await (await tenant.Http.GetAsync($"/api/notifications/{id}/events")).ReadAsync<List<NotificationEventView>>();

    [Fact]
    public async Task Signed_delivered_event_moves_sent_email_to_delivered_once_and_forged_ones_change_nothing()
    {
        var (sendGrid, node) = await StartAsync();
        await using var _ = sendGrid;
        await using var __ = node;
        var tenant = await node.CreateTenantAsync();
        var (id, messageId) = await SendEmailAsync(tenant, sendGrid, "ada@example.com");
        var body = SendGridEventWebhook.Body(SendGridEventWebhook.Event("delivered", messageId, id, tenant.Id, "ada@example.com", ("response", "250 OK")));
        var now = SendGridEventWebhook.Timestamp(DateTimeOffset.UtcNow);
        using var otherAccount = new SendGridEventWebhook();
        var altered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("delivered", "delivered ", StringComparison.Ordinal));
        var stale = SendGridEventWebhook.Timestamp(DateTimeOffset.UtcNow.AddMinutes(-11));

        var refused = new[]
        {
            SendGridEventWebhook.Request(body, now, otherAccount.Sign(now, body)),                 // another account's key
            SendGridEventWebhook.Request(body, null, null),                                          // unsigned
            SendGridEventWebhook.Request(body, now, null),                                           // no signature
            SendGridEventWebhook.Request(body, null, sendGrid.EventWebhook.Sign(now, body)),         // no timestamp
            SendGridEventWebhook.Request(altered, now, sendGrid.EventWebhook.Sign(now, body)),       // body changed after signing
            SendGridEventWebhook.Request(body, stale, sendGrid.EventWebhook.Sign(stale, body)),      // a replay, 11 minutes late
        };
        foreach (var request in refused)
        {
            var response = await PostAsync(node, request);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_SIGNATURE");
        }

        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);
        (await EventsAsync(tenant, id)).Should().NotContain(e => e.Event == "RECEIPT");

        // A verified batch: events that end nothing and a message Notifly never sent are acknowledged.
        var batch = SendGridEventWebhook.Body(
            SendGridEventWebhook.Event("processed", messageId, id, tenant.Id, "ada@example.com"),
            SendGridEventWebhook.Event("deferred", messageId, id, tenant.Id, "ada@example.com", ("response", "400 try again later"), ("attempt", "1")),
            SendGridEventWebhook.Event("delivered", "UnknownMessageId000000", Guid.NewGuid(), tenant.Id, "bob@example.com"),
            SendGridEventWebhook.Event("delivered", messageId, id, tenant.Id, "ada@example.com", ("response", "250 OK")),
            SendGridEventWebhook.Event("open", messageId, id, tenant.Id, "ada@example.com"),
            new { @event = "group_resubscribe" });
        (await PostAsync(node, sendGrid.EventWebhook.Signed(batch))).StatusCode.Should().Be(HttpStatusCode.OK);
        var details = await tenant.Http.GetNotificationAsync(id);
        details.Notification.Status.Should().Be(NotificationStatus.Delivered);
        details.Deliveries.Single().Status.Should().Be(DeliveryStatus.Delivered);

        // SendGrid posts again what it thinks failed: a duplicate changes nothing.
        (await PostAsync(node, sendGrid.EventWebhook.Signed(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        var receipts = (await EventsAsync(tenant, id)).Where(e => e.Event == "RECEIPT").ToList();
        receipts.Should().ContainSingle().Which.Details!.Value.GetProperty("providerMessageId").GetString().Should().Be(messageId);

        // Signed but not SendGrid's shape: refused, not a crash.
        var notAnArray = Encoding.UTF8.GetBytes("""{"event":"delivered"}""");
        (await PostAsync(node, sendGrid.EventWebhook.Signed(notAnArray))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Bounce_events_bounce_the_email_with_sendgrids_code()
    {
        var (sendGrid, node) = await StartAsync();
        await using var _ = sendGrid;
        await using var __ = node;
        var tenant = await node.CreateTenantAsync();
        var (bounced, bouncedId) = await SendEmailAsync(tenant, sendGrid, "gone@example.com");
        var (blocked, blockedId) = await SendEmailAsync(tenant, sendGrid, "blocked@example.com");

        var batch = SendGridEventWebhook.Body(
            SendGridEventWebhook.Event("bounce", bouncedId, bounced, tenant.Id, "gone@example.com",
                ("type", "bounce"), ("status", "5.1.1"), ("reason", "550 5.1.1 The email account that you tried to reach does not exist.")),
            SendGridEventWebhook.Event("bounce", blockedId, blocked, tenant.Id, "blocked@example.com",
                ("type", "blocked"), ("status", "5.7.1"), ("reason", "550 5.7.1 Service unavailable; client host blocked")));
        (await PostAsync(node, sendGrid.EventWebhook.Signed(batch))).StatusCode.Should().Be(HttpStatusCode.OK);

        var first = await tenant.Http.GetNotificationAsync(bounced);
        first.Notification.Status.Should().Be(NotificationStatus.Bounced);
        first.Deliveries.Single().Should().Match<DeliveryView>(d => d.Status == DeliveryStatus.Bounced && d.LastErrorCode == "SENDGRID_BOUNCE");
        var second = await tenant.Http.GetNotificationAsync(blocked);
        second.Deliveries.Single().LastErrorCode.Should().Be("SENDGRID_BLOCKED");
        (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items
            .Should().BeEmpty("a bounce was sent; there is nothing to retry");
    }

    [Fact]
    public async Task Dropped_event_fails_the_email_into_the_dead_letter_queue()
    {
        var (sendGrid, node) = await StartAsync();
        await using var _ = sendGrid;
        await using var __ = node;
        var tenant = await node.CreateTenantAsync();
        var (id, messageId) = await SendEmailAsync(tenant, sendGrid, "suppressed@example.com");

        var body = SendGridEventWebhook.Body(SendGridEventWebhook.Event("dropped", messageId, id, tenant.Id, "suppressed@example.com", ("reason", "Bounced Address")));
        (await PostAsync(node, sendGrid.EventWebhook.Signed(body))).StatusCode.Should().Be(HttpStatusCode.OK);

        var details = await tenant.Http.GetNotificationAsync(id);
        details.Notification.Status.Should().Be(NotificationStatus.Failed);
        details.Deliveries.Single().Should().Match<DeliveryView>(d => d.Status == DeliveryStatus.Failed && d.LastErrorCode == "SENDGRID_DROPPED");
        var dead = (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Should().ContainSingle().Subject;
        dead.Should().Match<DeadLetterView>(d => d.RequestId == id && d.Channel == Channel.Email && d.ErrorCode == "SENDGRID_DROPPED");
        (await EventsAsync(tenant, id)).Select(e => e.Event).Should().ContainInOrder("SENT", "RECEIPT", "DEAD_LETTERED");

        // A duplicate dropped event must not dead-letter it twice.
        (await PostAsync(node, sendGrid.EventWebhook.Signed(body))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Should().ContainSingle();
    }
}
