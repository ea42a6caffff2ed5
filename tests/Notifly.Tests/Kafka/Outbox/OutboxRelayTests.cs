// The transactional outbox end to end: REST intake and delivery turns on a real node write
// outbox rows in PostgreSQL, and the relay publishes them to the mock Kafka cluster over TCP,
// read back here by a plain Confluent consumer. Covers order and headers of status events,
// dead letters on notification.send.dlt, a full broker outage, and two relaying nodes. That no
// rows are written without Kafka is in OutboxWithoutKafkaTests; ingestion has its own tests.
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Kafka;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.Kafka.Outbox;

public sealed class OutboxRelayTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Publishes_accepted_processing_sent_in_order_with_seed_headers()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = StatusTopic();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        const string published = "notifly_outbox_published_total{topic=\"notification.status\"}";
        using var metrics = fixture.Node.Client();
        var publishedBefore = MetricsText.Value(await metrics.GetStringAsync("/metrics"), published);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/{tenant.Id}")));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 3, Wait, "three status events");
        var events = messages.Select(StatusEvent).ToList();
        events.Select(e => e.Status).Should().Equal(NotificationStatus.Accepted, NotificationStatus.Processing, NotificationStatus.Sent);
        events.Select(e => e.PreviousStatus).Should().Equal(null, NotificationStatus.Accepted, NotificationStatus.Processing);
        events.Should().OnlyContain(e => e.NotificationId == accepted.RequestId && e.TenantId == tenant.Id
            && e.CorrelationId == accepted.CorrelationId && e.EventType == "user.signup");
        events.Last().Deliveries.Should().ContainSingle(d => d.Channel == Channel.Webhook && d.Status == DeliveryStatus.Sent && d.Attempts == 1);

        foreach (var (message, e) in messages.Zip(events))
        {
            message.Key.Should().Be(tenant.Id.ToString());
            message.Header(KafkaHeaders.TenantId).Should().Be(tenant.Id.ToString());
            message.Header(KafkaHeaders.RequestId).Should().Be(accepted.RequestId.ToString());
            message.Header(KafkaHeaders.CorrelationId).Should().Be(accepted.CorrelationId.ToString());
            message.Header(KafkaHeaders.RetryCount).Should().Be("0");
            message.Header(KafkaHeaders.OriginalTopic).Should().Be(fixture.Topics.Status, "our own events originate on their own topic");
            long.Parse(message.Header(KafkaHeaders.Timestamp)!, CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(before);
            message.Header(KafkaHeaders.EventId).Should().Be(e.EventId.ToString(CultureInfo.InvariantCulture));
        }

        events.Select(e => e.EventId).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        // Counters are per process and other tests add to them: at least these three were counted.
        // The relay counts after its commit, a moment after the brokers have the messages.
        await Eventually.MatchAsync(() => metrics.GetStringAsync("/metrics"),
            text => MetricsText.Value(text, published) >= publishedBefore + 3, Wait, "the published events to be counted");
    }

    [Fact]
    public async Task Keeps_each_notifications_events_in_order_through_retries()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        const int count = 30;
        for (var i = 0; i < count; i++)
        {
            receiver.EnqueueResponse(500); // most notifications fail once, then succeed
        }

        using var status = StatusTopic();
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            (await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url))).RequestId));
        foreach (var id in ids)
        {
            await tenant.Http.WaitForStatusAsync(id, NotificationStatus.Sent, Wait);
        }

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.TenantId) == tenant.Id.ToString(),
            m => ids.All(id => m.Select(StatusEvent).Any(e => e.NotificationId == id && e.Status == NotificationStatus.Sent)),
            Wait, "a SENT event for every notification");

        AssertChainsInOrder(messages, ids);
        messages.Select(StatusEvent).Should().Contain(e => e.Status == NotificationStatus.Retrying, "the receiver failed first attempts");
    }

    [Fact]
    public async Task Keeps_every_event_through_a_broker_outage()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = StatusTopic();
        Guid[] ids;
        fixture.Cluster.SetAllBrokers(up: false);
        try
        {
            ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
                (await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/{tenant.Id}")))).RequestId));
            foreach (var id in ids)
            {
                await tenant.Http.WaitForStatusAsync(id, NotificationStatus.Sent, Wait);
            }

            status.Messages.Should().NotContain(m => m.Header(KafkaHeaders.TenantId) == tenant.Id.ToString(), "every broker is down");

            // The relay's produces time out (Kafka:Outbox:MessageTimeout), the rows stay unsent
            // with the failure recorded, and the relay keeps retrying.
            await Eventually.MatchAsync(() => FailedAttemptsAsync(tenant.Id), failed => failed > 0, Wait, "a recorded publish failure");
        }
        finally
        {
            fixture.Cluster.SetAllBrokers(up: true);
        }

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.TenantId) == tenant.Id.ToString(),
            m => m.Select(StatusEvent).Select(e => e.EventId).Distinct().Count() >= ids.Length * 3,
            TimeSpan.FromSeconds(60), "ACCEPTED, PROCESSING and SENT for every notification once the brokers are back");

        AssertChainsInOrder(messages, ids);
        await Eventually.MatchAsync(() => UnsentAsync(tenant.Id), unsent => unsent == 0, Wait, "every row published");
    }

    [Fact]
    public async Task Publishes_a_dead_lettered_notification_to_the_send_dead_letter_topic()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(404);
        using var deadLetters = TopicRecorder.Start(fixture.BootstrapServers, fixture.Topics.SendDeadLetter, KafkaNodeFixture.Partitions);

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);

        var message = (await deadLetters.WaitForAsync(
            m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 1, Wait, "a dead-letter event")).Single();
        message.Key.Should().Be(tenant.Id.ToString());
        message.Header(KafkaHeaders.OriginalTopic).Should().Be(fixture.Topics.SendDeadLetter);
        message.Header(KafkaHeaders.RetryCount).Should().Be("0");
        var dead = JsonSerializer.Deserialize<NotificationDeadLetterEvent>(message.Value, Json.Options)!;
        dead.Should().BeEquivalentTo(new
        {
            NotificationId = accepted.RequestId,
            TenantId = tenant.Id,
            CorrelationId = (Guid?)accepted.CorrelationId,
            Channel = Channel.Webhook,
            ErrorCode = "HTTP_404",
            Attempts = 1,
        });
        message.Header(KafkaHeaders.EventId).Should().Be(dead.EventId.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Publishes_a_cancel_made_in_a_tenant_scope()
    {
        // Cancel runs under SET LOCAL ROLE notifly_tenant: the outbox's grants and RLS policy must let it write.
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = StatusTopic();
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "reminder.due",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = fixture.Webhooks.UrlFor($"/{tenant.Id}") },
            payload = new { },
            sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });

        var cancel = await tenant.Http.PostAsync($"/api/notifications/{accepted.RequestId}/cancel", null);
        cancel.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 2, Wait, "SCHEDULED and CANCELLED");
        messages.Select(StatusEvent).Select(e => (e.PreviousStatus, e.Status)).Should().Equal(
            (null, NotificationStatus.Scheduled), (NotificationStatus.Scheduled, NotificationStatus.Cancelled));
    }

    [Fact]
    public async Task Two_relaying_nodes_keep_each_notifications_events_in_order()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var second = await fixture.StartNodeAsync();
        using var secondHttp = second.Client(tenant.AdminKey);
        using var status = StatusTopic();

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await (i % 2 == 0 ? tenant.Http : secondHttp).SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/{tenant.Id}")))).RequestId));

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.TenantId) == tenant.Id.ToString(),
            m => ids.All(id => m.Select(StatusEvent).Any(e => e.NotificationId == id && e.Status == NotificationStatus.Sent)),
            Wait, "a SENT event for every notification");

        AssertChainsInOrder(messages, ids);
    }

    [Fact]
    public async Task Deletes_each_row_as_it_is_published()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = StatusTopic();

        var accepted = await SendUntilPublishedAsync(tenant, status);

        await Eventually.MatchAsync(() => ScalarAsync("SELECT count(*) FROM notification_outbox WHERE tenant_id = $1", tenant.Id),
            rows => rows == 0, Wait, "no row left once published (no retention by default)");
    }

    [Fact]
    public async Task Keeps_published_rows_marked_sent_for_the_retention()
    {
        // A database of its own: the fixture's node would relay (and delete) these rows too.
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("outbox-retention");
        var settings = new Dictionary<string, string?>(fixture.KafkaSettings()) { ["Kafka:Outbox:Retention"] = "01:00:00" };
        await using var node = await NotiflyNode.StartAsync(connectionString, settings);
        var tenant = await node.CreateTenantAsync();
        using var status = StatusTopic();

        var accepted = await SendUntilPublishedAsync(tenant, status);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await Eventually.MatchAsync(async () =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL), count(*) FROM notification_outbox WHERE notification_id = $1", connection)
            {
                Parameters = { new NpgsqlParameter { Value = accepted.RequestId } },
            };
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (Sent: reader.GetInt64(0), All: reader.GetInt64(1));
        }, rows => rows is { Sent: 3, All: 3 }, Wait, "the three rows kept, marked sent");
    }

    [Fact]
    public async Task Completes_a_row_written_before_the_outbox_carried_correlation_and_event_type()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = StatusTopic();
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/{tenant.Id}")));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        // As a node before migration 0016 wrote it: no correlation id, no event type.
        await ScalarAsync(
            $"""
            WITH written AS (
                INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at)
                SELECT tenant_id, id, '{KafkaTopics.StatusName}',
                       jsonb_build_object('notificationId', id, 'tenantId', tenant_id, 'status', 'SENT', 'previousStatus', 'SENT',
                                          'occurredAt', now(), 'retryCount', 0), now()
                  FROM notifications WHERE tenant_id = $1
                RETURNING id)
            SELECT count(*) FROM written
            """, tenant.Id);

        var messages = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 4, Wait, "the old row published too");
        var old = messages.MaxBy(m => StatusEvent(m).EventId)!;
        StatusEvent(old).Should().Match<NotificationStatusEvent>(e => e.CorrelationId == accepted.CorrelationId && e.EventType == "user.signup");
        old.Header(KafkaHeaders.CorrelationId).Should().Be(accepted.CorrelationId.ToString());
    }

    /// <summary>Sends one webhook notification and waits until it is SENT and its three status events are on the topic.</summary>
    private async Task<NotificationAccepted> SendUntilPublishedAsync(TestTenant tenant, TopicRecorder status)
    {
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/{tenant.Id}")));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        await status.WaitForAsync(m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 3, Wait, "three status events");
        return accepted;
    }

    private async Task<long> FailedAttemptsAsync(Guid tenantId) =>
        await ScalarAsync("SELECT coalesce(sum(retry_count), 0) FROM notification_outbox WHERE tenant_id = $1 AND last_error IS NOT NULL", tenantId);

    private async Task<long> UnsentAsync(Guid tenantId) =>
        await ScalarAsync("SELECT count(*) FROM notification_outbox WHERE tenant_id = $1 AND sent_at IS NULL", tenantId);

    private async Task<long> ScalarAsync(string sql, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new NpgsqlParameter { Value = tenantId } } };
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private TopicRecorder StatusTopic() => TopicRecorder.Start(fixture.BootstrapServers, fixture.Topics.Status, KafkaNodeFixture.Partitions);

    private static NotificationStatusEvent StatusEvent(ConsumedMessage message) =>
        JsonSerializer.Deserialize<NotificationStatusEvent>(message.Value, Json.Options)!;

    /// <summary>
    /// Per notification, in the order consumed (duplicates dropped by event id, as a consumer
    /// would): starts at ACCEPTED, each event continues from the previous one's status, ids rise,
    /// and it ends at SENT.
    /// </summary>
    private static void AssertChainsInOrder(IReadOnlyList<ConsumedMessage> messages, IReadOnlyCollection<Guid> ids)
    {
        var events = messages.Select(StatusEvent).DistinctBy(e => e.EventId).ToList();
        foreach (var id in ids)
        {
            var chain = events.Where(e => e.NotificationId == id).ToList();
            chain.Should().NotBeEmpty();
            chain[0].Status.Should().Be(NotificationStatus.Accepted, $"notification {id} starts accepted");
            chain[0].PreviousStatus.Should().BeNull();
            for (var i = 1; i < chain.Count; i++)
            {
                chain[i].PreviousStatus.Should().Be(chain[i - 1].Status, $"event {i} of notification {id} follows event {i - 1}");
                chain[i].EventId.Should().BeGreaterThan(chain[i - 1].EventId);
            }

            chain[^1].Status.Should().Be(NotificationStatus.Sent);
        }
    }
}
