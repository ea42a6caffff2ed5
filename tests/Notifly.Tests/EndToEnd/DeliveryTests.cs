// End to end through a real node: REST intake → PostgreSQL → reminder service → real webhook
// receiver (Kestrel) and real SMTP server (aiosmtpd). Covers signed delivery, retry with
// backoff, permanent failure, exhaustion into the DLQ and manual retry. Idempotency, tenant
// isolation and bad input have their own files.
using System.Net;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class DeliveryTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Delivers_to_webhook_and_email_with_a_signature_that_verifies()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var email = $"ada-{Guid.NewGuid():N}@example.com";

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup",
            channels = new[] { "WEBHOOK", "EMAIL" },
            recipient = new { webhookUrl = receiver.Url, email },
            subject = "Welcome",
            payload = new { userId = "user123", name = "Ada" },
        });
        accepted.Status.Should().Be(NotificationStatus.Accepted);

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        details.Deliveries.Should().HaveCount(2).And.OnlyContain(d => d.Status == DeliveryStatus.Sent && d.Attempts == 1);
        details.Logs.Should().HaveCount(2).And.OnlyContain(l => l.Status == "SENT" && l.LatencyMs >= 0);

        var request = (await receiver.WaitForRequestsAsync(1, Wait)).Single();
        var secret = (await (await tenant.Http.GetAsync("/api/admin/settings/webhook-secret")).ReadAsync<JsonElement>()).GetProperty("secret").GetString()!;
        StandardWebhookSigner.Verify(secret, request.Header("webhook-id")!, request.Header("webhook-timestamp")!, request.Body,
            request.Header("webhook-signature")!, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow).Should().BeTrue();
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("data").GetProperty("notificationId").GetGuid().Should().Be(accepted.RequestId);
        body.RootElement.GetProperty("data").GetProperty("payload").GetProperty("name").GetString().Should().Be("Ada");

        var mail = (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(email, StringComparison.Ordinal) == true)).Single();
        mail.Subject.Should().Be("Welcome");
    }

    [Fact]
    public async Task Records_every_transition_in_the_audit_events()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        var events = await (await tenant.Http.GetAsync($"/api/notifications/{accepted.RequestId}/events")).ReadAsync<List<NotificationEventView>>();
        events.Select(e => e.Event).Should().ContainInOrder("CREATED", "SEND_ATTEMPT", "STATUS_CHANGED", "SENT", "STATUS_CHANGED");
        events.Where(e => e.Event == "STATUS_CHANGED").Select(e => e.Details!.Value.GetProperty("to").GetString())
            .Should().Equal("PROCESSING", "SENT");
    }

    [Fact]
    public async Task Retries_transient_failure_with_backoff_then_succeeds()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EnqueueResponse(503);
        receiver.EnqueueResponse(429);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        details.Deliveries.Single().Attempts.Should().Be(3);
        details.Logs.Select(l => (l.Attempt, l.Status, l.ErrorCode)).Should().Equal(
            (1, "FAILED", "HTTP_503"), (2, "FAILED", "HTTP_429"), (3, "SENT", null));
        var requests = await receiver.WaitForRequestsAsync(3, Wait);
        requests.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle("retries keep the message id so receivers can dedupe");
        (requests[1].ReceivedAt - requests[0].ReceivedAt).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(45), "backoff waits");
    }

    [Fact]
    public async Task Fails_permanently_without_retry_on_a_4xx()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(404);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);

        details.Deliveries.Single().Attempts.Should().Be(1);
        receiver.Requests.Should().HaveCount(1);
        var dlq = await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>();
        dlq.Items.Should().ContainSingle(e => e.RequestId == accepted.RequestId && e.ErrorCode == "HTTP_404" && e.Channel == Channel.Webhook);

        // a notification's own entries, as its page asks for them
        var other = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(other.RequestId, NotificationStatus.Failed, Wait);
        var own = await (await tenant.Http.GetAsync($"/api/admin/dlq?requestId={accepted.RequestId}")).ReadAsync<Page<DeadLetterView>>();
        own.Items.Should().ContainSingle().Which.RequestId.Should().Be(accepted.RequestId);
    }

    [Fact]
    public async Task Exhausted_retries_land_in_the_DLQ_and_a_manual_retry_delivers()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(500);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        var failed = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);
        failed.Deliveries.Single().Attempts.Should().Be(5, "seed 000's default is 5 attempts");
        receiver.Requests.Should().HaveCount(5);

        var entry = (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items
            .Should().ContainSingle(e => e.RequestId == accepted.RequestId).Subject;
        entry.Attempts.Should().Be(5);

        receiver.SetDefault(200);
        var retry = await tenant.Http.PostAsync($"/api/admin/dlq/{entry.Id}/retry", null);
        retry.StatusCode.Should().Be(HttpStatusCode.Accepted);

        var sent = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        sent.Deliveries.Single().Attempts.Should().Be(6);
        (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items
            .Should().NotContain(e => e.Id == entry.Id, "a retried entry leaves the queue");
        (await tenant.Http.PostAsync($"/api/admin/dlq/{entry.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deletes_a_DLQ_entry()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(410);
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);
        var entry = (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Single();

        (await tenant.Http.DeleteAsync($"/api/admin/dlq/{entry.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await (await tenant.Http.GetAsync("/api/admin/dlq")).ReadAsync<Page<DeadLetterView>>()).Items.Should().BeEmpty();
        (await tenant.Http.DeleteAsync($"/api/admin/dlq/{entry.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Email_rejected_by_the_server_fails_permanently()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup",
            channels = new[] { "EMAIL" },
            recipient = new { email = $"reject-{Guid.NewGuid():N}@example.com" },
            payload = new { },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);
        details.Deliveries.Single().LastErrorCode.Should().Be("SMTP_550");
        details.Deliveries.Single().Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Cancels_a_scheduled_notification_before_it_runs()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "reminder.due",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = receiver.Url },
            payload = new { },
            sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        accepted.Status.Should().Be(NotificationStatus.Scheduled);

        var cancel = await tenant.Http.PostAsync($"/api/notifications/{accepted.RequestId}/cancel", null);
        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
        (await cancel.ReadAsync<NotificationDetails>()).Notification.Status.Should().Be(NotificationStatus.Cancelled);

        var again = await tenant.Http.PostAsync($"/api/notifications/{accepted.RequestId}/cancel", null);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_STATE");
    }

    [Fact]
    public async Task Cancels_a_retrying_notification()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(503, retryAfter: TimeSpan.FromMinutes(5));
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Retrying, Wait);

        (await tenant.Http.PostAsync($"/api/notifications/{accepted.RequestId}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var details = await tenant.Http.GetNotificationAsync(accepted.RequestId);
        details.Notification.Status.Should().Be(NotificationStatus.Cancelled);
        details.Deliveries.Single().NextAttemptAt.Should().BeNull();
    }

    [Fact]
    public async Task Drops_a_reminder_whose_notification_is_gone_and_keeps_delivering()
    {
        var orphan = Guid.NewGuid();
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                "INSERT INTO reminders (grain_id, kind, tenant_id, due_at) VALUES ($1, 'notification', gen_random_uuid(), now() - interval '1 minute')",
                connection);
            insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = orphan });
            await insert.ExecuteNonQueryAsync();
        }

        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        await Eventually.MatchAsync(async () =>
        {
            await using var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString);
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM reminders WHERE grain_id = $1", connection);
            count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = orphan });
            return (long)(await count.ExecuteScalarAsync())!;
        }, n => n == 0, Wait, "the orphaned reminder to be dropped");
    }

    [Fact]
    public async Task Exposes_delivery_and_intake_metrics_for_prometheus()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        using var http = fixture.Node.Client();
        var response = await http.GetAsync("/metrics");
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        MetricsText.Value(text, "notifly_delivery_attempts_total{channel=\"WEBHOOK\",outcome=\"success\"}").Should().BeGreaterThan(0);
        MetricsText.Value(text, "notifly_intake_requests_total{outcome=\"accepted\"}").Should().BeGreaterThan(0);
        MetricsText.Value(text, "notifly_intake_commit_duration_seconds_count").Should().BeGreaterThan(0);
        MetricsText.Has(text, "notifly_intake_commit_duration_seconds_bucket{le=\"0.005\"}").Should().BeTrue("the histogram has its advised buckets");
        MetricsText.Value(text, "notifly_delivery_end_to_end_seconds_count{channel=\"WEBHOOK\"}").Should().BeGreaterThan(0);
        MetricsText.Has(text, "notifly_dispatch_in_flight").Should().BeTrue();
    }
}
