// A silo stopped in the middle of an attempt: its lease on the attempt expires and a silo
// started afterwards (same database) runs the attempt again and finishes the notification.
// Nothing stays stuck and nothing is lost. The stop abandons the in-flight call, as a killed
// process would; the node's drain timeout is shorter than the receiver's hang.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class SiloCrashTests
{
    [Fact]
    public async Task Silo_stopped_mid_attempt_and_started_again_finishes_the_notification()
    {
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("crash");
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.HangAll();
        var settings = new Dictionary<string, string?>
        {
            ["Notifly:Dispatch:Lease"] = "00:00:01",
            ["Notifly:Dispatch:DrainTimeout"] = "00:00:00", // stop abandons the attempt at once, like a crash
            ["Notifly:Channels:Webhook:Timeout"] = "00:00:00.900",
            ["Notifly:Channels:Smtp:Timeout"] = "00:00:00.900",
        };

        Guid id;
        string key;
        await using (var first = await NotiflyNode.StartAsync(connectionString, settings))
        {
            var tenant = await first.CreateTenantAsync();
            key = tenant.AdminKey;
            id = (await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url))).RequestId;
            await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(10));
            (await tenant.Http.GetNotificationAsync(id)).Notification.Status.Should().Be(NotificationStatus.Processing);
            await first.StopAsync(); // mid-attempt: the receiver has not answered
        }

        receiver.SetDefault(200);
        await using var second = await NotiflyNode.StartAsync(connectionString, settings);
        using var http = second.Client(key);
        var details = await http.WaitForStatusAsync(id, NotificationStatus.Sent, TimeSpan.FromSeconds(20));

        details.Logs.Should().Contain(l => l.Attempt == 1 && l.Status == "ABANDONED" && l.ErrorCode == "LEASE_EXPIRED");
        details.Logs.Should().Contain(l => l.Status == "SENT");
        receiver.Requests.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task Refuses_to_start_with_a_lease_shorter_than_a_sender_timeout()
    {
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("lease");
        var start = () => NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Dispatch:Lease"] = "00:00:01",
            ["Notifly:Channels:Webhook:Timeout"] = "00:00:02",
        });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .WithMessage("*Notifly:Dispatch:Lease*");
    }
}
