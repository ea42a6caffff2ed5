// GET /api/notifications/{id} shows what the notification sends and to whom: the subject, body,
// payload and recipient as stored at intake — the addresses filled from the recipient's profile
// when the request named only a userId. Real node, real database. The template version shown
// for a rendered notification is TemplateSendTests'.
using System.Net.Http.Json;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class NotificationContentTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Get_returns_the_subject_body_payload_and_recipient_it_sends()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped", channels = new[] { "EMAIL", "WEBHOOK" },
            recipient = new { email = "ada@example.com", webhookUrl = "http://127.0.0.1:9/hook" },
            subject = "Your order shipped", body = "Order A-1 is on its way. 😀", payload = new { orderId = "A-1", items = new[] { 1, 2 } },
        });

        var content = (await tenant.Http.GetNotificationAsync(accepted.RequestId)).Content;

        content.Subject.Should().Be("Your order shipped");
        content.Body.Should().Be("Order A-1 is on its way. 😀");
        content.BodyIsHtml.Should().BeFalse();
        content.Payload.GetProperty("orderId").GetString().Should().Be("A-1");
        content.Payload.GetProperty("items").GetArrayLength().Should().Be(2);
        content.Recipient.Email.Should().Be("ada@example.com");
        content.Recipient.WebhookUrl.Should().Be("http://127.0.0.1:9/hook");
        content.Template.Should().BeNull();
    }

    [Fact]
    public async Task Get_shows_the_addresses_filled_from_the_recipients_profile()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/recipients/user-9", new { email = "grace@example.com" })).EnsureSuccessStatusCode();

        var accepted = await tenant.Http.SendOkAsync(new { eventType = "digest", channels = new[] { "EMAIL" }, userId = "user-9", payload = new { } });

        (await tenant.Http.GetNotificationAsync(accepted.RequestId)).Content.Recipient.Email.Should().Be("grace@example.com");
    }
}
