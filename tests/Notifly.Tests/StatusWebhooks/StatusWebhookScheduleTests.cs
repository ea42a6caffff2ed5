// Time-dependent status-webhook behaviour on a fake clock (the node's TimeProvider): seed 004's
// retry schedule with the deployment's defaults — an immediate attempt, retries after 1, 5 and
// 15 minutes (±10 % jitter), then failed — and secret rotation,
// which signs with both secrets until the overlap (24 h by default) ends and with the new one
// after. Each test has its own node and database. Quick retries run in StatusWebhookDeliveryTests,
// Retry-After in RetryScheduleTests.
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.StatusWebhooks;
using Notifly.Tests.Support;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookScheduleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Transient_failures_are_retried_after_1_5_and_15_minutes_then_the_delivery_fails()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var run = await StartAsync(clock);
        await using var barrierReceiver = await WebhookReceiver.StartAsync();
        run.Receiver.EnqueueResponse(500);
        run.Receiver.EnqueueResponse(429);
        run.Receiver.EnqueueResponse(408);
        run.Receiver.SetDefault(503);
        var endpoint = (await run.Tenant.Http.CreateEndpointAsync(run.Receiver.Url, [StatusWebhookEvents.Created])).Endpoint;
        var barrier = (await run.Tenant.Http.CreateEndpointAsync(barrierReceiver.Url, [StatusWebhookEvents.Created])).Endpoint;
        var ping = await run.Tenant.Http.PingAsync(endpoint.Id);

        var schedule = new (int Status, TimeSpan Min, TimeSpan Max)[]
        {
            (500, TimeSpan.FromMinutes(0.9), TimeSpan.FromMinutes(1.1)),
            (429, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5.5)),
            (408, TimeSpan.FromMinutes(13.5), TimeSpan.FromMinutes(16.5)),
        };
        for (var attempt = 1; attempt <= schedule.Length; attempt++)
        {
            var (status, min, max) = schedule[attempt - 1];
            var waiting = await run.Tenant.Http.WaitForDeliveryAsync(endpoint.Id, ping.Id,
                d => d.AttemptCount == attempt && d.ResponseStatus == status, Wait);
            waiting.Status.Should().Be(WebhookDeliveryStatus.Retrying);
            (waiting.NextAttemptAt!.Value - waiting.LastAttemptAt!.Value).Should().BeGreaterThanOrEqualTo(min).And.BeLessThanOrEqualTo(max);

            // A second before it is due, a claim that certainly ran (it delivered a ping queued
            // after the clock moved) leaves the retry alone.
            clock.Now = waiting.NextAttemptAt.Value - TimeSpan.FromSeconds(1);
            await PassBarrierAsync(run, barrier.Id);
            run.Receiver.Requests.Should().HaveCount(attempt);

            clock.Now = waiting.NextAttemptAt.Value;
            run.Node.Services.GetRequiredService<StatusWebhookSignal>().Wake();
        }

        var failed = await run.Tenant.Http.WaitForStatusAsync(endpoint.Id, ping.Id, WebhookDeliveryStatus.Failed, Wait);
        (failed.AttemptCount, failed.ResponseStatus, failed.NextAttemptAt).Should().Be((4, 503, null));
        run.Receiver.Requests.Should().HaveCount(4, "seed 004: 1 immediate attempt + 3 retries");
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var run = await StartAsync(clock);
        var created = await run.Tenant.Http.CreateEndpointAsync(run.Receiver.Url, [StatusWebhookEvents.Created]);
        var id = created.Endpoint.Id;

        var rotated = await (await run.Tenant.Http.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).ReadAsync<WebhookSecretRotated>();
        rotated.PreviousSecretExpiresAt.Should().BeCloseTo(clock.Now.AddHours(24), TimeSpan.FromMilliseconds(1)); // stored in µs
        (await run.Tenant.Http.GetEndpointAsync(id)).PreviousSecretExpiresAt.Should().Be(rotated.PreviousSecretExpiresAt);
        await run.Tenant.Http.PingAsync(id);
        var during = (await run.Receiver.WaitForRequestsAsync(1, Wait)).Single();

        during.Header("webhook-signature")!.Split(' ').Should().HaveCount(2).And.OnlyContain(s => s.StartsWith("v1,", StringComparison.Ordinal));
        during.VerifiesWith(rotated.Secret, clock.Now).Should().BeTrue();
        during.VerifiesWith(created.Secret, clock.Now).Should().BeTrue("receivers still on the old secret keep verifying during the overlap");

        clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await run.Tenant.Http.PingAsync(id);
        var after = (await run.Receiver.WaitForRequestsAsync(2, Wait))[1];

        after.Header("webhook-signature")!.Split(' ').Should().ContainSingle();
        after.VerifiesWith(rotated.Secret, clock.Now).Should().BeTrue();
        after.VerifiesWith(created.Secret, clock.Now).Should().BeFalse();
        (await run.Tenant.Http.GetEndpointAsync(id)).PreviousSecretExpiresAt.Should().BeNull();
    }

    /// <summary>A ping to the barrier endpoint, queued now, was delivered: a claim ran at the clock's current time.</summary>
    private static async Task PassBarrierAsync(Run run, Guid barrierId)
    {
        var ping = await run.Tenant.Http.PingAsync(barrierId);
        await run.Tenant.Http.WaitForStatusAsync(barrierId, ping.Id, WebhookDeliveryStatus.Succeeded, Wait);
    }

    private static async Task<Run> StartAsync(ManualTimeProvider clock)
    {
        var postgres = await PostgresServer.GetAsync();
        var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("status_webhook_schedule"),
            new Dictionary<string, string?> { ["Notifly:StatusWebhooks:PollInterval"] = "00:00:00.100" },
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
