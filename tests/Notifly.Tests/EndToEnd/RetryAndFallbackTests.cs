// Issue 4 end to end (docs/0008): channel fallback through a real node (EMAIL → WEBHOOK after a
// permanent SMTP failure, EMAIL → SMS after EMAIL exhausts an event type's retries; SMS has no
// sender yet, so it fails CHANNEL_DISABLED and dead-letters), the audit trail of each step, an
// event type's policy changing the attempts made, a policy bound at accept time, the settings
// sections and the backoff preview. The machine's transitions are in FallbackChainMachineTests.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class RetryAndFallbackTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static async Task PutAsync(HttpClient admin, object settings)
    {
        var response = await admin.PutAsJsonAsync("/api/admin/settings", settings, Json.Options);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<NotificationEventView>> EventsAsync(HttpClient http, Guid id) =>
        await (await http.GetAsync($"/api/notifications/{id}/events")).ReadAsync<List<NotificationEventView>>();

    private static string Detail(NotificationEventView e, string key) => e.Details!.Value.GetProperty(key).ToString();

    [Fact]
    public async Task Falls_back_from_email_to_webhook_after_email_fails_for_good_and_delivers()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await PutAsync(tenant.Http, new { channelFallback = new Dictionary<string, string[]> { ["order.shipped"] = ["EMAIL", "WEBHOOK"] } });
        await using var receiver = await WebhookReceiver.StartAsync();

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            recipient = new { email = $"reject-{Guid.NewGuid():N}@example.com", webhookUrl = receiver.Url },
            subject = "Shipped",
            payload = new { orderId = 7 },
        });
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        details.Deliveries.Select(d => (d.Channel, d.Status)).Should().Equal(
            (Channel.Email, DeliveryStatus.Failed), (Channel.Webhook, DeliveryStatus.Sent));
        await receiver.WaitForRequestsAsync(1, Wait);
        var events = await EventsAsync(tenant.Http, accepted.RequestId);
        events.Select(e => e.Event).Should().ContainInOrder("CREATED", "SEND_ATTEMPT", "ATTEMPT_FAILED", "FALLBACK", "SEND_ATTEMPT", "SENT");
        var fallback = events.Single(e => e.Event == "FALLBACK");
        (Detail(fallback, "from"), Detail(fallback, "to"), Detail(fallback, "reason")).Should().Be(("EMAIL", "WEBHOOK", "PERMANENT_FAILURE"));
        events.Should().NotContain(e => e.Event == "DEAD_LETTERED", "a channel that handed over is not dead-lettered");
    }

    [Fact]
    public async Task Falls_back_from_email_to_sms_after_email_exhausts_its_retries()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await PutAsync(tenant.Http, new
        {
            retryPolicies = new
            {
                eventTypes = new Dictionary<string, object>
                {
                    ["otp.sent"] = new { maxAttempts = 2, initialDelayMs = 10, maxDelayMs = 20, backoffMultiplier = 1.5 },
                },
            },
            channelFallback = new Dictionary<string, string[]> { ["otp.sent"] = ["EMAIL", "SMS", "PUSH"] },
        });

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "otp.sent",
            recipient = new { email = $"busy-{Guid.NewGuid():N}@example.com", phone = "+15551234567" },
            subject = "Code",
            payload = new { code = "1234" },
        });
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);

        details.Deliveries.Select(d => (d.Channel, d.Status, d.Attempts)).Should().Equal(
            (Channel.Email, DeliveryStatus.Failed, 2), (Channel.Sms, DeliveryStatus.Failed, 1));
        var events = await EventsAsync(tenant.Http, accepted.RequestId);
        events.Select(e => e.Event).Should().ContainInOrder(
            "CREATED", "FALLBACK_SKIPPED", "SEND_ATTEMPT", "ATTEMPT_FAILED", "RETRY_SCHEDULED", "SEND_ATTEMPT", "ATTEMPT_FAILED",
            "FALLBACK", "SEND_ATTEMPT", "ATTEMPT_FAILED", "DEAD_LETTERED");
        Detail(events.Single(e => e.Event == "FALLBACK_SKIPPED"), "channel").Should().Be("PUSH", "the recipient has no push token");
        var fallback = events.Single(e => e.Event == "FALLBACK");
        (Detail(fallback, "from"), Detail(fallback, "to"), Detail(fallback, "reason")).Should().Be(("EMAIL", "SMS", "RETRY_EXHAUSTED"));
        var dead = events.Single(e => e.Event == "DEAD_LETTERED");
        (Detail(dead, "channel"), Detail(dead, "errorCode")).Should().Be(("SMS", "CHANNEL_DISABLED"));
    }

    [Fact]
    public async Task Event_type_policy_sets_the_attempts_and_is_bound_when_the_request_is_accepted()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            receiver.EnqueueResponse(503);
        }

        await PutAsync(tenant.Http, new
        {
            retryPolicies = new
            {
                eventTypes = new Dictionary<string, object>
                {
                    ["report.ready"] = new { maxAttempts = 2, initialDelayMs = 10, maxDelayMs = 20, backoffMultiplier = 1 },
                },
            },
        });
        var bound = await tenant.Http.SendOkAsync(new
        {
            eventType = "report.ready", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = receiver.Url },
            payload = new { }, sendAt = DateTimeOffset.UtcNow.AddSeconds(2),
        });

        // Changed before the first attempt: the notification keeps the policy it was accepted under.
        await PutAsync(tenant.Http, new
        {
            retryPolicies = new
            {
                eventTypes = new Dictionary<string, object>
                {
                    ["report.ready"] = new { maxAttempts = 4, initialDelayMs = 10, maxDelayMs = 20, backoffMultiplier = 1 },
                },
            },
        });
        var details = await tenant.Http.WaitForStatusAsync(bound.RequestId, NotificationStatus.Failed, Wait);
        details.Deliveries.Single().Attempts.Should().Be(2, "the deployment's default would make 5, the policy at accept time 2");

        var later = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, eventType: "report.ready"));
        (await tenant.Http.WaitForStatusAsync(later.RequestId, NotificationStatus.Failed, Wait)).Deliveries.Single().Attempts.Should().Be(4);
    }

    [Fact]
    public async Task Preview_gives_the_seed_backoff_for_the_tenant_default_and_for_a_candidate()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await PutAsync(tenant.Http, new
        {
            retryPolicies = new { @default = new { maxAttempts = 5, initialDelayMs = 1000, maxDelayMs = 60000, backoffMultiplier = 1.5 } },
        });

        var preview = await (await tenant.Http.GetAsync("/api/admin/settings/retry-policies/preview?eventType=order.shipped")).ReadAsync<RetryPreview>();

        preview.Source.Should().Be("tenantDefault");
        preview.Retries.Select(r => r.DelayMs).Should().Equal(1000, 1500, 2250, 3375);
        preview.Retries.Select(r => r.Attempt).Should().Equal(2, 3, 4, 5);
        preview.Retries[0].MaxDelayWithJitterMs.Should().Be((long)(1000 * (1 + preview.JitterFraction)));

        var candidate = await (await tenant.Http.GetAsync(
            "/api/admin/settings/retry-policies/preview?maxAttempts=4&initialDelayMs=500&maxDelayMs=1500&backoffMultiplier=2")).ReadAsync<RetryPreview>();
        candidate.Source.Should().Be("candidate");
        candidate.Retries.Select(r => r.DelayMs).Should().Equal(500, 1000, 1500);

        var bad = await tenant.Http.GetAsync("/api/admin/settings/retry-policies/preview?maxAttempts=0&initialDelayMs=500&maxDelayMs=100&backoffMultiplier=2");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await bad.ProblemAsync()).GetProperty("errors");
        errors.TryGetProperty("maxAttempts", out _).Should().BeTrue();
        errors.TryGetProperty("maxDelayMs", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Settings_show_the_sections_and_a_put_without_them_keeps_them()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var fresh = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        fresh.RetryPolicies!.EventTypes.Should().BeEmpty();
        fresh.ChannelFallback.Should().BeEmpty();

        await PutAsync(tenant.Http, new
        {
            retryPolicies = new
            {
                @default = new { maxAttempts = 3, initialDelayMs = 500, maxDelayMs = 5000, backoffMultiplier = 2 },
                eventTypes = new Dictionary<string, object> { ["a.b"] = new { maxAttempts = 7, initialDelayMs = 100, maxDelayMs = 100, backoffMultiplier = 1 } },
            },
            channelFallback = new Dictionary<string, string[]> { ["a.b"] = ["EMAIL", "SMS", "PUSH"] },
        });
        await PutAsync(tenant.Http, new { rateLimits = new { requestsPerMinute = 100, requestsPerHour = 1000, burstLimit = 10 } });

        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        settings.RetryPolicies!.Default.Should().Be(new RetryPolicySettings(3, 500, 5000, 2));
        settings.RetryPolicies.EventTypes!["a.b"].Should().Be(new RetryPolicySettings(7, 100, 100, 1));
        settings.ChannelFallback!["a.b"].Should().Equal("EMAIL", "SMS", "PUSH");
        settings.RateLimits!.BurstLimit.Should().Be(10);
    }

    [Fact]
    public async Task Put_with_bad_policies_is_refused_naming_each_field()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var response = await tenant.Http.PutAsJsonAsync("/api/admin/settings", new
        {
            retryPolicies = new
            {
                @default = new { maxAttempts = 21, initialDelayMs = 0, maxDelayMs = 10, backoffMultiplier = 0.5 },
                eventTypes = new Dictionary<string, object> { ["x"] = new { maxAttempts = 2, initialDelayMs = 100, maxDelayMs = 50, backoffMultiplier = 1 } },
            },
            channelFallback = new Dictionary<string, string[]> { ["x"] = ["EMAIL", "FAX"], ["y"] = ["SMS", "SMS"] },
        }, Json.Options);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "retryPolicies.default.maxAttempts", "retryPolicies.default.initialDelayMs", "retryPolicies.default.backoffMultiplier",
            "retryPolicies.eventTypes.x.maxDelayMs", "channelFallback.x", "channelFallback.y");
        var settings = await (await tenant.Http.GetAsync("/api/admin/settings")).ReadAsync<TenantSettings>();
        settings.ChannelFallback.Should().BeEmpty("a refused PUT changes nothing");
    }
}
