using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Recipients;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Push;

// A push through a whole node: API intake, dispatch, FcmPushSender, against FakeFcm; and a token
// FCM calls UNREGISTERED leaving the recipient's profile (only that one, only that tenant's).
public sealed class FcmPushEndToEndTests : IAsyncLifetime
{
    private FakeFcm fcm = null!;

    public async Task InitializeAsync() => fcm = await FakeFcm.StartAsync();

    public async Task DisposeAsync() => await fcm.DisposeAsync();

    [Fact]
    public async Task A_push_request_is_sent_through_fcm()
    {
        await using var node = await StartNodeAsync();
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

    [Fact]
    public async Task A_token_fcm_calls_unregistered_is_removed_from_the_recipients_profile()
    {
        await using var node = await StartNodeAsync();
        var tenant = await node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/recipients/ada", new { pushTokens = new[] { "device-gone", "device-kept" } }, Json.Options))
            .EnsureSuccessStatusCode();
        fcm.EnqueueError(404, "NOT_FOUND", "UNREGISTERED");

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped", channels = new[] { "PUSH" }, userId = "ada",
            recipient = new { pushToken = "device-gone" }, payload = new { orderId = 7 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed);
        details.Deliveries.Single().LastErrorCode.Should().Be("FCM_UNREGISTERED");
        var profile = await Eventually.MatchAsync(
            async () => await (await tenant.Http.GetAsync("/api/recipients/ada")).ReadAsync<RecipientProfile>(),
            p => p.PushTokens?.Count == 1, TimeSpan.FromSeconds(10), "the dead token to leave the profile");
        profile.PushTokens.Should().Equal("device-kept");
    }

    private Task<NotiflyNode> StartNodeAsync() => StartNodeAsync(fcm);

    private static async Task<NotiflyNode> StartNodeAsync(FakeFcm fcm)
    {
        var postgres = await PostgresServer.GetAsync();
        return await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("fcm"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "EMAIL",
            ["Notifly:Channels:Enabled:1"] = "WEBHOOK",
            ["Notifly:Channels:Enabled:2"] = "PUSH",
            ["Notifly:Channels:Fcm:ServiceAccountJson"] = fcm.ServiceAccountJson,
            ["Notifly:Channels:Fcm:BaseUrl"] = fcm.BaseAddress,
            ["Notifly:Channels:Fcm:Timeout"] = "00:00:02",
        });
    }
}
