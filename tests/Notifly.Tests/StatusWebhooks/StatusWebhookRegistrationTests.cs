// Registration on a node configured unlike the test default: without the loopback allow-list a
// loopback URL is refused as an SSRF destination, and without a Notifly:Secrets key no endpoint
// (whose secret must be sealed) nor provider with credentials can be created. Refusals on the default node are in StatusWebhookApiTests.
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Security;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.StatusWebhooks;

public sealed class StatusWebhookRegistrationTests(LockedDownNodeFixture fixture) : IClassFixture<LockedDownNodeFixture>
{
    private NotiflyNode Node => fixture.Node;

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://localhost/hook")]
    public async Task A_loopback_url_is_refused_without_the_allow_list(string url)
    {
        var tenant = await Node.CreateTenantAsync();

        var response = await tenant.Http.PostAsJsonAsync("/api/webhooks", new { url, events = new[] { StatusWebhookEvents.Sent } }, Json.Options);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("DESTINATION_NOT_ALLOWED");
    }

    [Fact]
    public async Task Without_a_secrets_key_an_endpoint_cannot_be_created()
    {
        var tenant = await Node.CreateTenantAsync();

        // A public address literal: allowed anywhere, and no DNS needed.
        var response = await tenant.Http.PostAsJsonAsync("/api/webhooks",
            new { url = "https://93.184.215.14/hook", events = new[] { StatusWebhookEvents.Sent } }, Json.Options);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("SECRETS_KEY_NOT_CONFIGURED");
        (await (await tenant.Http.GetAsync("/api/webhooks")).ReadAsync<List<WebhookEndpointView>>()).Should().BeEmpty();
        Node.Services.GetRequiredService<SecretBox>().IsConfigured.Should().BeFalse("the test must run without a key");
    }

    [Fact]
    public async Task Without_a_secrets_key_a_provider_with_credentials_cannot_be_created()
    {
        var tenant = await Node.CreateTenantAsync();

        var response = await tenant.Http.PostAsJsonAsync("/api/admin/providers", new
        {
            name = "main",
            kind = "twilio",
            settings = new { accountSid = FakeTwilio.AccountSid, from = "+15005550006" },
            credentials = new { authToken = FakeTwilio.AuthToken },
        });

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("SECRETS_KEY_NOT_CONFIGURED");
        (await tenant.Http.GetFromJsonAsync<List<System.Text.Json.JsonElement>>("/api/admin/providers")).Should().BeEmpty();
    }
}
