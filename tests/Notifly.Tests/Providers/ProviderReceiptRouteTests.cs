using System.Net;
using System.Security.Cryptography;
using System.Text;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Providers;

// Covers delivery receipts for tenants' own provider accounts: a tenant's Twilio provider asks
// Twilio to report to its own URL, and a callback there is checked with that provider's token; a
// tenant's SendGrid provider's events are checked with that provider's key; a provider's route
// moves only its own tenant's messages; forged callbacks get 401 and unknown providers 404.
// Not covered: the deployment accounts' routes (TwilioReceiptTests, SendGridReceiptTests).
public sealed class ProviderReceiptRouteTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>
{
    private const string PublicBaseUrl = "http://localhost:8080"; // Notifly:PublicBaseUrl's default, which the fixture keeps

    [Fact]
    public async Task A_tenants_twilio_provider_gets_receipts_at_its_own_url_checked_with_its_own_token()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        var providerId = await ProviderFailoverTests.CreateAsync(tenant, ProviderFixture.Twilio("main", 1, twilio));
        var othersProvider = await ProviderFailoverTests.CreateAsync(other, ProviderFixture.Twilio("theirs", 1, twilio));

        var id = await SendAsync(tenant, new { phone = "+15558675310" }, "SMS");
        var message = twilio.Messages.Single();
        var url = $"{PublicBaseUrl}/api/providers/twilio/callbacks/status/{providerId}";
        message.Form["StatusCallback"].Should().Be(url);
        var form = new Dictionary<string, string>
        {
            ["AccountSid"] = FakeTwilio.AccountSid, ["MessageSid"] = message.Sid, ["MessageStatus"] = "delivered", ["To"] = "+15558675310",
        };

        // Another tenant's provider, correctly signed for its own URL, cannot move this tenant's message.
        var othersUrl = $"{PublicBaseUrl}/api/providers/twilio/callbacks/status/{othersProvider}";
        (await TwilioCallbackAsync(othersUrl, form, Sign(FakeTwilio.AuthToken, othersUrl, form))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);

        (await TwilioCallbackAsync(url, form, Sign("not-the-token", url, form))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await TwilioCallbackAsync($"{PublicBaseUrl}/api/providers/twilio/callbacks/status/{Guid.NewGuid()}", form, "x")).StatusCode
            .Should().Be(HttpStatusCode.NotFound);
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);

        (await TwilioCallbackAsync(url, form, Sign(FakeTwilio.AuthToken, url, form))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Delivered);
    }

    [Fact]
    public async Task A_tenants_sendgrid_provider_gets_events_checked_with_its_own_key()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync();
        using var anotherAccount = new SendGridEventWebhook();
        var tenant = await fixture.Node.CreateTenantAsync();
        var providerId = await ProviderFailoverTests.CreateAsync(tenant, new
        {
            name = "sendgrid",
            kind = "sendgrid",
            priority = 1,
            settings = new { from = "no-reply@example.com", baseUrl = sendGrid.BaseAddress, eventWebhookPublicKey = sendGrid.EventWebhook.PublicKey },
            credentials = new { apiKey = FakeSendGrid.ApiKey },
        });

        var id = await SendAsync(tenant, new { email = "ada@example.com" }, "EMAIL");
        var messageId = sendGrid.Mails.Single().MessageId;
        var body = SendGridEventWebhook.Body(SendGridEventWebhook.Event("bounce", messageId, id, tenant.Id, "ada@example.com", ("type", "bounce")));
        var path = $"/api/providers/sendgrid/callbacks/events/{providerId}";

        (await PostAsync(anotherAccount.Signed(body), path)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Sent);

        (await PostAsync(sendGrid.EventWebhook.Signed(body), path)).StatusCode.Should().Be(HttpStatusCode.OK);
        var details = await tenant.Http.GetNotificationAsync(id);
        details.Notification.Status.Should().Be(NotificationStatus.Bounced);
        details.Deliveries.Single().LastErrorCode.Should().Be("SENDGRID_BOUNCE");
        fixture.Logs.Lines.Should().NotContain(line => line.Contains(FakeSendGrid.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_api_only_node_checks_receipts_too()
    {
        var settings = fixture.Node.GatewaySettings();
        settings["Notifly:Channels:Twilio:AccountSid"] = FakeTwilio.AccountSid;
        settings["Notifly:Channels:Twilio:AuthToken"] = FakeTwilio.AuthToken;
        settings["Notifly:Channels:Twilio:From"] = "+15005550006";
        await using var api = await NotiflyNode.StartAsync(fixture.ConnectionString, settings, NotiflyRole.Api);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/providers/twilio/callbacks/status")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["MessageSid"] = "SM1", ["MessageStatus"] = "delivered" }),
        };
        request.Headers.Add("X-Twilio-Signature", "forged");

        (await api.Client().SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the endpoint is there and checks the signature");
    }

    private static async Task<Guid> SendAsync(TestTenant tenant, object recipient, string channel)
    {
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped", channels = new[] { channel }, recipient, subject = "Shipped", payload = new { order = 42 },
        });
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        return accepted.RequestId;
    }

    private async Task<HttpResponseMessage> TwilioCallbackAsync(string url, Dictionary<string, string> form, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url).PathAndQuery) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", signature);
        return await fixture.Node.Client().SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostAsync(HttpRequestMessage signed, string path)
    {
        using (signed)
        {
            signed.RequestUri = new Uri(path, UriKind.Relative);
            return await fixture.Node.Client().SendAsync(signed);
        }
    }

    // Twilio's scheme: HMAC-SHA1 with the auth token over the URL and then each parameter's name and value, sorted by name.
    private static string Sign(string token, string url, Dictionary<string, string> form) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(token),
            Encoding.UTF8.GetBytes(url + string.Concat(form.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + p.Value)))));
}
