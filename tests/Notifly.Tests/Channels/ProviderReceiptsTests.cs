using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels;

// Covers ProviderReceipts, the lookup + receipt turn behind every provider's callback endpoint,
// on a real node and database: a receipt restricted to one tenant (a tenant's own provider
// account) cannot move another tenant's notification, and the wrong channel finds nothing.
// Not covered: signatures and payload parsing (the providers' receipt tests).
public sealed class ProviderReceiptsTests
{
    [Fact]
    public async Task A_receipt_restricted_to_one_tenant_moves_only_that_tenants_message()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("receipts"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "SMS",
            ["Notifly:Channels:Twilio:AccountSid"] = FakeTwilio.AccountSid,
            ["Notifly:Channels:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Notifly:Channels:Twilio:From"] = "+15005550006",
            ["Notifly:Channels:Twilio:BaseUrl"] = twilio.BaseAddress,
        });
        var owner = await node.CreateTenantAsync();
        var stranger = await node.CreateTenantAsync();
        var accepted = await owner.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "SMS" },
            recipient = new { phone = "+15558675310" },
            payload = new { order = 42 },
        });
        await owner.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        var sid = twilio.Messages.Single().Sid;
        var receipts = node.Services.GetRequiredService<ProviderReceipts>();

        (await receipts.ApplyAsync(Channel.Sms, sid, ReceiptStatus.Delivered, null, stranger.Id, CancellationToken.None))
            .Should().BeFalse("the message is not the stranger's");
        (await receipts.ApplyAsync(Channel.Email, sid, ReceiptStatus.Delivered, null, null, CancellationToken.None))
            .Should().BeFalse("the id is an SMS's");
        (await owner.Http.GetNotificationAsync(accepted.RequestId)).Notification.Status.Should().Be(NotificationStatus.Sent);

        (await receipts.ApplyAsync(Channel.Sms, sid, ReceiptStatus.Delivered, null, owner.Id, CancellationToken.None)).Should().BeTrue();
        (await owner.Http.GetNotificationAsync(accepted.RequestId)).Notification.Status.Should().Be(NotificationStatus.Delivered);
        (await receipts.ApplyAsync(Channel.Sms, sid, ReceiptStatus.Delivered, null, null, CancellationToken.None))
            .Should().BeFalse("a duplicate changes nothing");
    }
}
