// The hot paths skip status-webhook writes while no tenant of the deployment has an active
// endpoint (StatusWebhookPresence): two nodes on one fresh database learn of the first endpoint —
// the node that created it at once, the other through NOTIFY — and both write deliveries from
// then on, until the last endpoint goes. Not covered: the NOTIFY window itself (docs/0017).
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.StatusWebhooks;
using Notifly.Tests.Support;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookPresenceTests
{
    [Fact]
    public async Task Both_nodes_write_deliveries_from_the_first_endpoint_on_and_stop_after_the_last()
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("status_webhook_presence");
        await using var a = await NotiflyNode.StartAsync(database);
        await using var b = await NotiflyNode.StartAsync(database);
        await using var receiver = await WebhookReceiver.StartAsync();
        var presenceA = a.Services.GetRequiredService<StatusWebhookPresence>();
        var presenceB = b.Services.GetRequiredService<StatusWebhookPresence>();
        await Eventually.MatchAsync(() => Task.FromResult((presenceA.MayHaveEndpoints, presenceB.MayHaveEndpoints)), p => p == (false, false),
            because: "a new deployment has no endpoints");
        var tenant = await a.CreateTenantAsync();
        var onB = b.Client(tenant.AdminKey);

        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        presenceA.MayHaveEndpoints.Should().BeTrue("the node that created it knows at once");
        var viaA = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/channel")));
        await Eventually.MatchAsync(() => Task.FromResult(presenceB.MayHaveEndpoints), yes => yes, because: "node b hears the NOTIFY");
        var viaB = await onB.SendOkAsync(Calls.Webhook(receiver.UrlFor("/channel")));

        (await tenant.Http.DeliveriesAsync(endpoint.Endpoint.Id)).Items.Select(d => d.NotificationId)
            .Should().BeEquivalentTo([viaA.RequestId, viaB.RequestId]);

        (await tenant.Http.DeleteAsync($"/api/webhooks/{endpoint.Endpoint.Id}")).EnsureSuccessStatusCode();
        await Eventually.MatchAsync(() => Task.FromResult((presenceA.MayHaveEndpoints, presenceB.MayHaveEndpoints)), p => p == (false, false),
            because: "both nodes learn the last endpoint is gone");
    }
}
