// Status webhooks end to end through a real node: a notification's lifecycle events reach a real
// receiver signed per Standard Webhooks with the secret the API returned, only for subscribed
// events (scheduled, cancelled and opted-out notifications too), with the endpoint's own headers;
// transient failures are retried, other 4xx fail at once, an endpoint failing too often is
// disabled and re-enabled, failed deliveries can be redelivered. The 1/5/15-minute schedule and
// secret rotation run on a fake clock in StatusWebhookScheduleTests; the API's refusals and
// tenant isolation are in StatusWebhookApiTests.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookDeliveryTests(StatusWebhookNodeFixture fixture) : IClassFixture<StatusWebhookNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Created_and_sent_events_of_a_notification_arrive_signed_with_the_returned_secret()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.UrlFor("/status"), [StatusWebhookEvents.Created, StatusWebhookEvents.Sent]);
        endpoint.Secret.Should().StartWith("whsec_");

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/channel")));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        var calls = await receiver.WaitForRequestsAsync(2, Wait, r => r.Path == "/status");

        calls.Should().OnlyContain(r => r.VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow));
        calls.Should().OnlyContain(r => !r.VerifiesWith(StandardWebhookSigner.GenerateSecret(), DateTimeOffset.UtcNow), "another secret must not verify");
        var bodies = calls.Select(r => r.Document()).ToDictionary(b => b.GetProperty("type").GetString()!);
        bodies.Keys.Should().BeEquivalentTo([StatusWebhookEvents.Created, StatusWebhookEvents.Sent]);
        var created = bodies[StatusWebhookEvents.Created].GetProperty("data");
        created.GetProperty("notificationId").GetGuid().Should().Be(accepted.RequestId);
        created.GetProperty("requestId").GetGuid().Should().Be(accepted.RequestId);
        created.GetProperty("tenantId").GetGuid().Should().Be(tenant.Id);
        created.GetProperty("correlationId").GetGuid().Should().Be(accepted.CorrelationId);
        created.GetProperty("eventType").GetString().Should().Be("user.signup");
        created.GetProperty("status").GetString().Should().Be("ACCEPTED");
        created.TryGetProperty("previousStatus", out _).Should().BeFalse();
        var sent = bodies[StatusWebhookEvents.Sent].GetProperty("data");
        (sent.GetProperty("status").GetString(), sent.GetProperty("previousStatus").GetString()).Should().Be(("SENT", "PROCESSING"));
        var delivery = sent.GetProperty("deliveries").EnumerateArray().Single();
        (delivery.GetProperty("channel").GetString(), delivery.GetProperty("status").GetString(), delivery.GetProperty("attempts").GetInt32())
            .Should().Be(("WEBHOOK", "SENT", 1));

        // webhook-id is the delivery's id, so a receiver can look it up (and drop duplicates).
        var listed = await Eventually.MatchAsync(() => tenant.Http.DeliveriesAsync(endpoint.Endpoint.Id),
            page => page.Items.All(d => d.Status == WebhookDeliveryStatus.Succeeded), Wait, "both deliveries recorded as succeeded");
        listed.Items.Select(d => d.Id.ToString()).Should().BeEquivalentTo(calls.Select(r => r.Header("webhook-id")));
        listed.Items.Should().OnlyContain(d => d.AttemptCount == 1 && d.ResponseStatus == 200);
        listed.Items.Select(d => d.EventId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Only_the_events_an_endpoint_subscribes_to_arrive()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var channel = await WebhookReceiver.StartAsync();
        channel.SetDefault(400);
        var failures = await tenant.Http.CreateEndpointAsync(receiver.UrlFor("/failures"), [StatusWebhookEvents.Failed]);
        var successes = await tenant.Http.CreateEndpointAsync(receiver.UrlFor("/successes"), [StatusWebhookEvents.Sent, StatusWebhookEvents.Delivered]);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(channel.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);
        var call = (await receiver.WaitForRequestsAsync(1, Wait, r => r.Path == "/failures")).Single();

        var data = call.Document().GetProperty("data");
        call.Document().GetProperty("type").GetString().Should().Be(StatusWebhookEvents.Failed);
        (data.GetProperty("status").GetString(), data.GetProperty("errorCode").GetString()).Should().Be(("FAILED", "HTTP_400"));
        // Deliveries are written with the status change itself: by now every one this notification
        // will ever have exists.
        (await tenant.Http.DeliveriesAsync(failures.Endpoint.Id)).Items.Should().ContainSingle(d => d.EventType == StatusWebhookEvents.Failed);
        (await tenant.Http.DeliveriesAsync(successes.Endpoint.Id)).Items.Should().BeEmpty();
        receiver.Requests.Should().NotContain(r => r.Path == "/successes");
    }

    [Fact]
    public async Task Scheduled_cancelled_and_opted_out_notifications_report_their_own_events()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url,
            [StatusWebhookEvents.Created, StatusWebhookEvents.Cancelled, StatusWebhookEvents.Skipped]);
        var optOut = await tenant.Http.PutAsJsonAsync("/api/recipients/u-out",
            new { webhookUrl = receiver.UrlFor("/channel"), preferences = new { channels = new { WEBHOOK = false } } }, Json.Options);
        optOut.IsSuccessStatusCode.Should().BeTrue(await optOut.Content.ReadAsStringAsync());

        var scheduled = await tenant.Http.SendOkAsync(new
        {
            eventType = "reminder.due", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = receiver.UrlFor("/channel") },
            payload = new { n = 1 }, sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        // Cancel runs its turn in the tenant's scope: Row Level Security applies to the delivery insert.
        (await tenant.Http.PostAsync($"/api/notifications/{scheduled.RequestId}/cancel", null)).EnsureSuccessStatusCode();
        var skipped = await tenant.Http.SendOkAsync(new { eventType = "promo.weekly", userId = "u-out", payload = new { n = 2 } });
        skipped.Status.Should().Be(NotificationStatus.Skipped);

        var deliveries = (await tenant.Http.DeliveriesAsync(endpoint.Endpoint.Id)).Items;
        deliveries.Select(d => (d.NotificationId, d.EventType, d.Payload.GetProperty("data").GetProperty("status").GetString()))
            .Should().BeEquivalentTo(new (Guid?, string, string?)[]
            {
                (scheduled.RequestId, StatusWebhookEvents.Created, "SCHEDULED"),
                (scheduled.RequestId, StatusWebhookEvents.Cancelled, "CANCELLED"),
                (skipped.RequestId, StatusWebhookEvents.Skipped, "SKIPPED"),
            });
        var calls = await receiver.WaitForRequestsAsync(3, Wait, r => r.Path == "/hook");
        calls.Should().OnlyContain(r => r.VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow));
        receiver.Requests.Should().NotContain(r => r.Path == "/channel", "nothing was due to be sent");
    }

    [Fact]
    public async Task The_endpoints_own_headers_are_sent_with_every_call()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created],
            new Dictionary<string, string> { ["Authorization"] = "Bearer receiver-token", ["X-Tenant-Ref"] = "acme-42", ["Content-Language"] = "fr" });

        await tenant.Http.PingAsync(endpoint.Endpoint.Id);
        var call = (await receiver.WaitForRequestsAsync(1, Wait)).Single();

        call.Header("Authorization").Should().Be("Bearer receiver-token");
        call.Header("X-Tenant-Ref").Should().Be("acme-42");
        call.Header("Content-Language").Should().Be("fr", "a content header goes out too");
        call.Header("Content-Type").Should().Be("application/json");
        call.Document().GetProperty("type").GetString().Should().Be(StatusWebhookEvents.Test);
        call.VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow).Should().BeTrue();
    }

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EnqueueResponse(503);
        receiver.EnqueueResponse(429);
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);

        var ping = await tenant.Http.PingAsync(endpoint.Endpoint.Id);
        var done = await tenant.Http.WaitForStatusAsync(endpoint.Endpoint.Id, ping.Id, WebhookDeliveryStatus.Succeeded, Wait);

        done.AttemptCount.Should().Be(3);
        receiver.Requests.Select(r => r.Header("webhook-id")).Should().Equal(Enumerable.Repeat(ping.Id.ToString(), 3));
        (await tenant.Http.GetEndpointAsync(endpoint.Endpoint.Id)).ConsecutiveFailures.Should().Be(0, "a success ends the run of failures");
    }

    [Fact]
    public async Task A_400_fails_at_once_without_a_retry()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(new ScriptedResponse(400, Body: "missing field"));
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);

        var ping = await tenant.Http.PingAsync(endpoint.Endpoint.Id);
        var failed = await tenant.Http.WaitForStatusAsync(endpoint.Endpoint.Id, ping.Id, WebhookDeliveryStatus.Failed, Wait);

        (failed.AttemptCount, failed.ResponseStatus, failed.ResponseBody, failed.NextAttemptAt).Should().Be((1, 400, "missing field", null));
        receiver.Requests.Should().ContainSingle();
        (await tenant.Http.GetEndpointAsync(endpoint.Endpoint.Id)).ConsecutiveFailures.Should().Be(1);
    }

    [Fact]
    public async Task An_endpoint_failing_too_often_is_disabled_gets_no_new_deliveries_and_can_be_enabled_again()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var channel = await WebhookReceiver.StartAsync();
        receiver.SetDefault(500);
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        var id = endpoint.Endpoint.Id;

        // Four failed attempts exhaust the first delivery; the fifth in a row, the second's first, disables.
        var first = await tenant.Http.SendOkAsync(Calls.Webhook(channel.Url));
        var firstDelivery = (await tenant.Http.DeliveriesAsync(id)).Items.Single(d => d.NotificationId == first.RequestId);
        (await tenant.Http.WaitForStatusAsync(id, firstDelivery.Id, WebhookDeliveryStatus.Failed, Wait)).AttemptCount.Should().Be(4);
        var second = await tenant.Http.SendOkAsync(Calls.Webhook(channel.Url));
        var disabled = await Eventually.MatchAsync(() => tenant.Http.GetEndpointAsync(id), e => !e.Active, Wait);

        disabled.ConsecutiveFailures.Should().Be(StatusWebhookNodeFixture.DisableAfterFailures);
        disabled.DisabledReason.Should().Contain("5 failed attempts in a row").And.Contain("HTTP 500");
        disabled.DisabledAt.Should().NotBeNull();
        var secondDelivery = (await tenant.Http.DeliveriesAsync(id)).Items.Single(d => d.NotificationId == second.RequestId);
        (secondDelivery.Status, secondDelivery.AttemptCount).Should().Be((WebhookDeliveryStatus.Failed, 1), "its retries went with the endpoint");
        receiver.Requests.Should().HaveCount(5);

        var ignored = await tenant.Http.SendOkAsync(Calls.Webhook(channel.Url));
        (await tenant.Http.DeliveriesAsync(id)).Items.Should().NotContain(d => d.NotificationId == ignored.RequestId,
            "a disabled endpoint gets no deliveries (intake wrote them, if any, before answering)");
        (await tenant.Http.PostAsync($"/api/webhooks/{id}/test", null)).StatusCode.Should().Be(HttpStatusCode.Conflict);

        receiver.SetDefault(200);
        var enabled = await (await tenant.Http.PostAsync($"/api/webhooks/{id}/enable", null)).ReadAsync<WebhookEndpointView>();
        (enabled.Active, enabled.ConsecutiveFailures, enabled.DisabledReason).Should().Be((true, 0, null));
        var after = await tenant.Http.SendOkAsync(Calls.Webhook(channel.Url));
        var afterDelivery = (await tenant.Http.DeliveriesAsync(id)).Items.Single(d => d.NotificationId == after.RequestId);
        await tenant.Http.WaitForStatusAsync(id, afterDelivery.Id, WebhookDeliveryStatus.Succeeded, Wait);
        var metrics = await fixture.Node.Client().GetStringAsync("/metrics");
        MetricsText.Value(metrics, "notifly_status_webhooks_endpoints_disabled_total").Should().BeGreaterThan(0);
        MetricsText.Value(metrics, "notifly_status_webhooks_attempts_total{outcome=\"failed\"}").Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_notifications_deliveries_are_listed_across_endpoints_and_only_to_its_tenant()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var first = await tenant.Http.CreateEndpointAsync(receiver.UrlFor("/a"), [StatusWebhookEvents.Created, StatusWebhookEvents.Sent]);
        var second = await tenant.Http.CreateEndpointAsync(receiver.UrlFor("/b"), [StatusWebhookEvents.Sent]);
        await tenant.Http.PingAsync(first.Endpoint.Id); // a ping belongs to no notification

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/channel")));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        var path = $"/api/webhooks/deliveries?notificationId={accepted.RequestId}";
        var listed = await Eventually.MatchAsync(() => tenant.Http.GetFromJsonAsync<WebhookDeliveryView[]>(path, Json.Options)!,
            items => items!.Length == 3, Wait, "created and sent to the first endpoint, sent to the second");

        listed!.Select(d => (d.EndpointId, d.EventType)).Should().BeEquivalentTo(new[]
        {
            (first.Endpoint.Id, StatusWebhookEvents.Created), (first.Endpoint.Id, StatusWebhookEvents.Sent), (second.Endpoint.Id, StatusWebhookEvents.Sent),
        });
        listed.Should().OnlyContain(d => d.NotificationId == accepted.RequestId);
        (await other.Http.GetFromJsonAsync<WebhookDeliveryView[]>(path, Json.Options)).Should().BeEmpty("another tenant sees none of them");
        using var missing = await tenant.Http.GetAsync("/api/webhooks/deliveries");
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.ProblemAsync()).GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
    }

    [Fact]
    public async Task A_failed_delivery_is_redelivered_through_the_api_with_the_same_webhook_id()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EnqueueResponse(410);
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        var ping = await tenant.Http.PingAsync(endpoint.Endpoint.Id);
        await tenant.Http.WaitForStatusAsync(endpoint.Endpoint.Id, ping.Id, WebhookDeliveryStatus.Failed, Wait);

        var redeliver = await tenant.Http.PostAsync($"/api/webhooks/{endpoint.Endpoint.Id}/deliveries/{ping.Id}/redeliver", null);
        redeliver.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await redeliver.ReadAsync<WebhookDeliveryView>()).Status.Should().Be(WebhookDeliveryStatus.Pending);
        var done = await tenant.Http.WaitForStatusAsync(endpoint.Endpoint.Id, ping.Id, WebhookDeliveryStatus.Succeeded, Wait);

        (done.AttemptCount, done.ResponseStatus).Should().Be((2, 200));
        receiver.Requests.Select(r => r.Header("webhook-id")).Should().Equal(ping.Id.ToString(), ping.Id.ToString());
        receiver.Requests[1].VerifiesWith(endpoint.Secret, DateTimeOffset.UtcNow).Should().BeTrue();
    }
}
