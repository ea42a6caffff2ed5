using System.Net;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Sms;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Sms;

// Twilio status callbacks through a whole node (docs/0014): a correctly signed `delivered`
// moves a SENT SMS to DELIVERED with a RECEIPT event, once; a forged one is refused and changes
// nothing; `undelivered` bounces it with Twilio's error code; an unknown SID is acknowledged.
// The signature is computed here from the primitives, against the configured public URL, not
// the loopback address the test calls: that is the URL Twilio would have signed.
public sealed class TwilioReceiptTests
{
    private const string PublicBaseUrl = "https://notifly.example.test";
    private const string CallbackUrl = PublicBaseUrl + "/api/providers/twilio/callbacks/status";

    private static async Task<(FakeTwilio Twilio, NotiflyNode Node)> StartAsync()
    {
        var twilio = await FakeTwilio.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync("receipts");
        var node = await NotiflyNode.StartAsync(database, new Dictionary<string, string?>
        {
            ["Notifly:PublicBaseUrl"] = PublicBaseUrl,
            ["Notifly:Channels:Enabled:0"] = "SMS",
            ["Notifly:Channels:Twilio:AccountSid"] = FakeTwilio.AccountSid,
            ["Notifly:Channels:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Notifly:Channels:Twilio:From"] = "+15005550006",
            ["Notifly:Channels:Twilio:BaseUrl"] = twilio.BaseAddress,
        });
        return (twilio, node);
    }

    private static async Task<(Guid Id, string Sid)> SendSmsAsync(TestTenant tenant, FakeTwilio twilio, string phone)
    {
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "SMS" },
            recipient = new { phone },
            payload = new { order = 42 },
        });
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        return (accepted.RequestId, twilio.Messages.Single(m => m.Form["To"] == phone).Sid);
    }

    private static async Task<HttpResponseMessage> CallbackAsync(NotiflyNode node, Dictionary<string, string> form, string? signature = null)
    {
        signature ??= Sign(FakeTwilio.AuthToken, form);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/providers/twilio/callbacks/status")
        {
            Content = new FormUrlEncodedContent(form),
        };
        request.Headers.Add("X-Twilio-Signature", signature);
        return await node.Client().SendAsync(request);
    }

    private static string Sign(string token, Dictionary<string, string> form)
    {
        var data = CallbackUrl + string.Concat(form.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + p.Value));
        return Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(data)));
    }

    private static Dictionary<string, string> Form(string sid, string status, string? errorCode = null)
    {
        var form = new Dictionary<string, string>
        {
            ["AccountSid"] = FakeTwilio.AccountSid,
            ["MessageSid"] = sid,
            ["SmsSid"] = sid,
            ["MessageStatus"] = status,
            ["SmsStatus"] = status,
            ["To"] = "+15558675310",
            ["From"] = "+15005550006",
            ["ApiVersion"] = "2010-04-01",
        };
        if (errorCode is not null)
        {
            form["ErrorCode"] = errorCode;
        }

        return form;
    }

    private static async Task<List<NotificationEventView>> EventsAsync(TestTenant tenant, Guid id) =>
        await (await tenant.Http.GetAsync($"/api/notifications/{id}/events")).ReadAsync<List<NotificationEventView>>();

    [Fact]
    public async Task Signed_delivered_callback_moves_sent_sms_to_delivered_once_and_forged_ones_change_nothing()
    {
        var (twilio, node) = await StartAsync();
        await using var _ = twilio;
        await using var __ = node;
        var tenant = await node.CreateTenantAsync();
        var (id, sid) = await SendSmsAsync(tenant, twilio, "+15558675310");

        // Forged: signed with another token, unsigned, or signed for a different body.
        (await CallbackAsync(node, Form(sid, "delivered"), Sign("not-the-token", Form(sid, "delivered")))).StatusCode
            .Should().Be(HttpStatusCode.Unauthorized);
        (await CallbackAsync(node, Form(sid, "delivered"), "")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var forged = await CallbackAsync(node, Form(sid, "delivered"), Sign(FakeTwilio.AuthToken, Form(sid, "sent")));
        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await forged.Content.ReadAsStringAsync()).Should().Contain("INVALID_SIGNATURE");
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);

        // Not final: acknowledged, nothing recorded.
        (await CallbackAsync(node, Form(sid, "sent"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);

        (await CallbackAsync(node, Form(sid, "delivered"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var details = await tenant.Http.GetNotificationAsync(id);
        details.Notification.Status.Should().Be(NotificationStatus.Delivered);
        details.Deliveries.Single().Status.Should().Be(DeliveryStatus.Delivered);

        // A duplicate is acknowledged and changes nothing.
        (await CallbackAsync(node, Form(sid, "delivered"))).StatusCode.Should().Be(HttpStatusCode.OK);
        var events = await EventsAsync(tenant, id);
        events.Count(e => e.Event == "RECEIPT").Should().Be(1);
        events.Single(e => e.Event == "RECEIPT").Details!.Value.GetProperty("providerMessageId").GetString().Should().Be(sid);

        // Twilio retries anything but 2xx, so a SID Notifly never sent is acknowledged too.
        (await CallbackAsync(node, Form("SM00000000000000000000000000000000", "delivered"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Undelivered_callback_bounces_the_sms_with_twilios_error_code()
    {
        var (twilio, node) = await StartAsync();
        await using var _ = twilio;
        await using var __ = node;
        var tenant = await node.CreateTenantAsync();
        var (id, sid) = await SendSmsAsync(tenant, twilio, "+15558675311");

        (await CallbackAsync(node, Form(sid, "undelivered", "30003"))).StatusCode.Should().Be(HttpStatusCode.OK);

        var details = await tenant.Http.GetNotificationAsync(id);
        details.Notification.Status.Should().Be(NotificationStatus.Bounced);
        details.Deliveries.Single().Status.Should().Be(DeliveryStatus.Bounced);
        details.Deliveries.Single().LastErrorCode.Should().Be("30003");
        var receipt = (await EventsAsync(tenant, id)).Single(e => e.Event == "RECEIPT");
        receipt.Details!.Value.GetProperty("errorCode").GetString().Should().Be("30003");
    }
}
