// An api node is a client of the cluster (docs/0021). Started before any silo, as api pods may be
// in Kubernetes, it waits for a gateway (Orleans' client retry) instead of failing its start, and
// serves once the silo is up: its first REST send leases through the tenant grain on that silo,
// and a cancel runs as a turn of the notification's grain there.
// Not covered: giving up after Orleans' three minutes.
using System.Globalization;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Hosting;

public class ApiNodeStartupTests
{
    [Fact]
    public async Task An_api_node_started_before_its_silo_waits_for_it_and_then_serves()
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("apifirst");
        var gatewayPort = FreeTcpPort.Pick().ToString(CultureInfo.InvariantCulture);
        var clusterId = $"test-{Guid.NewGuid():N}";

        var apiStart = NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Orleans:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
            ["Notifly:Orleans:ClusterId"] = clusterId,
        }, NotiflyRole.Api);
        await Task.Delay(TimeSpan.FromSeconds(3));
        apiStart.IsCompleted.Should().BeFalse("no gateway answers yet, and the api node waits rather than failing");

        await using var silo = await NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Orleans:GatewayPort"] = gatewayPort,
            ["Notifly:Orleans:ClusterId"] = clusterId,
        }, NotiflyRole.Worker);
        await using var api = await apiStart.WaitAsync(TimeSpan.FromSeconds(60));

        var tenant = await api.CreateTenantAsync();
        await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));

        var scheduled = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup",
            payload = new { },
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = "http://127.0.0.1:9/" },
            sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        var cancel = await tenant.Http.PostAsync($"/api/notifications/{scheduled.RequestId}/cancel", null);
        (await cancel.ReadAsync<NotificationDetails>()).Notification.Status.Should().Be(NotificationStatus.Cancelled);
    }
}
