// sendAt on a fake clock: a scheduled notification stays SCHEDULED until the node's clock
// reaches its time, fires then, and can be cancelled until it runs. The clock is Notifly's
// TimeProvider; "the dispatcher has looked since the clock moved" is shown by an immediate
// notification sent after the move being delivered, never by sleeping.
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Runtime;
using Notifly.Tests.Support;

namespace Notifly.Tests.Scheduling;

public class ScheduledSendTests
{
    [Fact]
    public async Task Scheduled_send_fires_when_the_clock_reaches_send_at_and_not_before()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var run = await StartAsync(clock);
        var sendAt = clock.Now.AddHours(1);
        var scheduled = await run.Tenant.Http.SendOkAsync(Scheduled(run.Receiver.UrlFor("/scheduled"), sendAt));
        scheduled.Status.Should().Be(NotificationStatus.Scheduled);

        clock.Advance(TimeSpan.FromMinutes(59));
        await DispatcherHasLookedAsync(run);
        (await run.Tenant.Http.GetNotificationAsync(scheduled.RequestId)).Notification.Status.Should().Be(NotificationStatus.Scheduled);
        run.Receiver.Requests.Should().NotContain(r => r.Path == "/scheduled");

        clock.Now = sendAt;
        run.Node.Services.GetRequiredService<WakeUpSignal>().Wake();
        await run.Tenant.Http.WaitForStatusAsync(scheduled.RequestId, NotificationStatus.Sent);
        run.Receiver.Requests.Should().ContainSingle(r => r.Path == "/scheduled");
    }

    [Fact]
    public async Task Scheduled_send_cancelled_before_its_time_never_runs()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var run = await StartAsync(clock);
        var scheduled = await run.Tenant.Http.SendOkAsync(Scheduled(run.Receiver.UrlFor("/cancelled"), clock.Now.AddMinutes(10)));

        (await run.Tenant.Http.PostAsync($"/api/notifications/{scheduled.RequestId}/cancel", null)).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromMinutes(11));
        await DispatcherHasLookedAsync(run);

        (await run.Tenant.Http.GetNotificationAsync(scheduled.RequestId)).Notification.Status.Should().Be(NotificationStatus.Cancelled);
        run.Receiver.Requests.Should().NotContain(r => r.Path == "/cancelled");
    }

    private static object Scheduled(string url, DateTimeOffset sendAt) => new
    {
        eventType = "reminder.due",
        channels = new[] { "WEBHOOK" },
        recipient = new { webhookUrl = url },
        payload = new { n = 1 },
        sendAt,
    };

    /// <summary>An immediate notification sent now is delivered only by a claim that ran after this point.</summary>
    private static async Task DispatcherHasLookedAsync(Run run)
    {
        var probe = await run.Tenant.Http.SendOkAsync(Calls.Webhook(run.Receiver.UrlFor("/probe")));
        await run.Tenant.Http.WaitForStatusAsync(probe.RequestId, NotificationStatus.Sent);
    }

    private static async Task<Run> StartAsync(ManualTimeProvider clock)
    {
        var postgres = await PostgresServer.GetAsync();
        var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("schedule"),
            services: s => s.AddSingleton<TimeProvider>(clock));
        var receiver = await WebhookReceiver.StartAsync();
        return new Run(node, receiver, await node.CreateTenantAsync());
    }

    private sealed record Run(NotiflyNode Node, WebhookReceiver Receiver, TestTenant Tenant) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Receiver.DisposeAsync();
        }
    }
}
