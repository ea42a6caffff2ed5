// A tenant turning channels off through its settings (issue 4: CHANNEL_DISABLED where the tenant
// has the channel off): REST refuses requests naming them with nothing stored, fallback orders
// pass over them, other tenants are untouched, and turning the channel back on works at once on
// the next request (the tenant grain's announcement evicts the node's cache). Kafka's refusal is in
// KafkaIngestionTests.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.Tenants.Channels;

public class TenantChannelSwitchTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task A_channel_the_tenant_turned_off_is_refused_with_channel_disabled_and_nothing_stored()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/admin/settings", new { disabledChannels = new[] { "webhook" } }, Json.Options))
            .EnsureSuccessStatusCode();

        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        settings.DisabledChannels.Should().Equal("WEBHOOK");
        var refused = await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/hook"));
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("CHANNEL_DISABLED");
        (await tenant.Http.ListAllIdsAsync()).Should().BeEmpty();
        (await other.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/hook"))).StatusCode.Should().Be(HttpStatusCode.Accepted);

        (await tenant.Http.PutAsJsonAsync("/api/admin/settings", new { disabledChannels = Array.Empty<string>() }, Json.Options))
            .EnsureSuccessStatusCode();
        // The change reaches each node's policy cache through the tenant grain, a moment after the commit.
        await Eventually.MatchAsync(() => tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/hook")),
            r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(10), "the channel to be back on");
    }

    [Fact]
    public async Task A_fallback_order_passes_over_a_channel_the_tenant_turned_off()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        (await tenant.Http.PutAsJsonAsync("/api/admin/settings", new
        {
            channelFallback = new Dictionary<string, string[]> { ["order.shipped"] = ["EMAIL", "WEBHOOK"] },
            disabledChannels = new[] { "EMAIL" },
        }, Json.Options)).EnsureSuccessStatusCode();

        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            recipient = new { email, webhookUrl = receiver.Url },
            payload = new { orderId = 7 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        details.Deliveries.Select(d => d.Channel).Should().Equal(Channel.Webhook);
        receiver.Requests.Should().ContainSingle();
        fixture.Smtp.Messages().Should().NotContain(m => m.To != null && m.To.Contains(email, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_channel_name_is_refused_naming_the_field()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var response = await tenant.Http.PutAsJsonAsync("/api/admin/settings", new { disabledChannels = new[] { "FAX" } }, Json.Options);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("errors").EnumerateObject().Single().Name.Should().Be("disabledChannels");
    }
}
