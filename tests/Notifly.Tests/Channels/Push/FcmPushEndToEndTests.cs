using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Push;

// A push through a whole node: API intake, dispatch, FcmPushSender, against FakeFcm.
public sealed class FcmPushEndToEndTests : IAsyncLifetime
{
    private FakeFcm fcm = null!;

    public async Task InitializeAsync() => fcm = await FakeFcm.StartAsync();

    public async Task DisposeAsync() => await fcm.DisposeAsync();

    [Fact]
    public async Task A_push_request_is_sent_through_fcm()
    {
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("fcm"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "EMAIL",
            ["Notifly:Channels:Enabled:1"] = "WEBHOOK",
            ["Notifly:Channels:Enabled:2"] = "PUSH",
            ["Notifly:Channels:Fcm:ServiceAccountJson"] = fcm.ServiceAccountJson,
            ["Notifly:Channels:Fcm:BaseUrl"] = fcm.BaseAddress,
            ["Notifly:Channels:Fcm:Timeout"] = "00:00:02",
        });
        var tenant = await node.CreateTenantAsync();

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "PUSH" },
            recipient = new { pushToken = "device-e2e" },
            payload = new { orderId = 42 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        details.Deliveries.Single().Channel.Should().Be(Channel.Push);
        fcm.Problems.Should().BeEmpty();
        fcm.Sends.Should().ContainSingle().Which.Body.Should().Contain("device-e2e");
    }
}
