// Ingestion from notification.requested on an in-process node: requests produced with a real
// Confluent producer to the mock cluster over TCP are stored once in PostgreSQL and delivered;
// refused messages go to notification.requested.dlt with their error and origin while the
// partition keeps flowing; brokers going away mid-stream lose and duplicate nothing. A process
// killed between the database commit and the offset store is covered in IngestionKillTests.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Notifly.Tests.Tenants.RateLimits;
using Xunit.Abstractions;

namespace Notifly.Tests.Kafka.Ingestion;

public class KafkaIngestionTests(KafkaNodeFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaNodeFixture>
{
    // A deadline, not a timing: the tests share one consumer, which after the broker outage test
    // rejoins its group (a 10 s session), and a loaded CI machine once took longer than 20 s.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ten_thousand_requests_with_duplicates_are_stored_once_and_delivered()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        // 11,000 messages are over seed 000's burst of 5000: the excess would be scheduled minutes
        // ahead (KafkaRateLimitTests), and this test wants them all sent now.
        await tenant.Http.SetLimitsAsync(perMinute: 1_000_000, perHour: 10_000_000, burst: 1_000_000);
        var path = $"/ingest/{tenant.Id:N}";
        var url = fixture.Webhooks.UrlFor(path);
        const int distinct = 10_000;
        var started = Stopwatch.StartNew();

        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            var deliveries = new List<Task>(distinct + distinct / 10);
            for (var i = 0; i < distinct; i++)
            {
                var value = IngestionProbe.Request(tenant.Id, $"n-{i}", url, i);
                deliveries.Add(producer.ProduceAsync(fixture.Topics.Requested, IngestionProbe.Message(tenant.Id, value, tenantHeader: i % 2 == 0)));
                if (i % 10 == 0)
                {
                    // The same request again, under another key so it may land on another partition.
                    deliveries.Add(producer.ProduceAsync(fixture.Topics.Requested, IngestionProbe.Message(tenant.Id, value, key: $"dup-{i}")));
                }
            }

            await Task.WhenAll(deliveries);
        }

        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
            c => c.Rows >= distinct, TimeSpan.FromSeconds(30), "every request to be stored");
        output.WriteLine($"stored after {started.Elapsed}");
        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id, "SENT"),
            c => c.Rows >= distinct, TimeSpan.FromSeconds(60), "every notification to be sent");
        output.WriteLine($"sent after {started.Elapsed}");

        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Should().Be((distinct, distinct));
        // Delivery is at-least-once: each notification reached the receiver, and none is missing.
        var received = fixture.Webhooks.Requests.Where(r => r.Path == path).Select(r => r.Header("webhook-id")).Distinct().Count();
        received.Should().Be(distinct);
    }

    [Fact]
    public async Task Poison_messages_go_to_the_dead_letter_topic_and_the_partition_keeps_flowing()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var url = fixture.Webhooks.UrlFor($"/poison/{tenant.Id:N}");
        var partition = new TopicPartition(fixture.Topics.Requested, new Partition(1));
        var notJson = Encoding.UTF8.GetBytes($"not json {Guid.NewGuid()}");
        var invalidId = $"invalid-{Guid.NewGuid():N}";
        var invalid = Encoding.UTF8.GetBytes(
            $$$"""{"notificationId":"{{{invalidId}}}","organizationId":"{{{tenant.Id}}}","channel":"WEBHOOK","recipient":"{{{url}}}","payload":{}}""");

        DeliveryResult<string, byte[]> notJsonAt, invalidAt;
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, "before", url)));
            notJsonAt = await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, notJson, tenantHeader: true));
            invalidAt = await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, invalid));
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, "after-1", url)));
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, "after-2", url)));
        }

        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
            c => c.Rows >= 3, Wait, "the messages around the poison to be stored");
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "after-1")).Should().BeTrue();
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "after-2")).Should().BeTrue();

        var dead = await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Message.Value.AsSpan().SequenceEqual(notJson) || r.Message.Value.AsSpan().SequenceEqual(invalid), 2, Wait);

        var poison = dead.Single(r => r.Message.Value.AsSpan().SequenceEqual(notJson));
        poison.Header(KafkaHeaders.ErrorCode).Should().Be("VALIDATION_FAILED");
        poison.Header(KafkaHeaders.ErrorMessage).Should().Contain("not a valid request");
        poison.Header(KafkaHeaders.OriginalTopic).Should().Be(fixture.Topics.Requested);
        poison.Header(KafkaHeaders.OriginalPartition).Should().Be("1");
        poison.Header(KafkaHeaders.OriginalOffset).Should().Be(notJsonAt.Offset.Value.ToString());
        poison.Header(KafkaHeaders.TenantId).Should().Be(tenant.Id.ToString());
        poison.Header(KafkaHeaders.RetryCount).Should().Be("0");
        poison.Header(KafkaHeaders.Timestamp).Should().NotBeNullOrEmpty();
        poison.Message.Key.Should().Equal(Encoding.UTF8.GetBytes(tenant.Id.ToString()));

        var failed = dead.Single(r => r.Message.Value.AsSpan().SequenceEqual(invalid));
        failed.Header(KafkaHeaders.ErrorCode).Should().Be("VALIDATION_FAILED");
        failed.Header(KafkaHeaders.ErrorMessage).Should().Contain("eventType is required");
        failed.Header(KafkaHeaders.OriginalOffset).Should().Be(invalidAt.Offset.Value.ToString());
        failed.Header(KafkaHeaders.CorrelationId).Should().Be(invalidId);
        failed.Header(KafkaHeaders.RequestId).Should().Be(invalidId);
    }

    [Fact]
    public async Task Unknown_tenant_is_dead_lettered_as_tenant_not_found()
    {
        var unknown = Guid.NewGuid();
        var id = $"orphan-{Guid.NewGuid():N}";
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(unknown, IngestionProbe.Request(unknown, id, fixture.Webhooks.Url), tenantHeader: true));
        }

        var dead = (await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, Wait)).Single();
        dead.Header(KafkaHeaders.ErrorCode).Should().Be("TENANT_NOT_FOUND");
        dead.Header(KafkaHeaders.TenantId).Should().Be(unknown.ToString());
        (await IngestionProbe.CountAsync(fixture.ConnectionString, unknown)).Rows.Should().Be(0);
    }

    [Fact]
    public async Task A_channel_the_tenant_turned_off_is_dead_lettered_as_channel_disabled()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/admin/settings", new { disabledChannels = new[] { "WEBHOOK" } }, Notifly.Grains.Storage.Json.Options))
            .EnsureSuccessStatusCode();
        var id = $"off-{Guid.NewGuid():N}";
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, id, fixture.Webhooks.Url)));
        }

        var dead = (await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, Wait)).Single();
        dead.Header(KafkaHeaders.ErrorCode).Should().Be("CHANNEL_DISABLED");
        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Rows.Should().Be(0);
    }

    [Fact]
    public async Task Metrics_count_ingested_and_dead_lettered_messages_and_export_the_lag()
    {
        // Counters are per process and other tests add to them: compare before and after.
        const string deadLettered = "notifly_kafka_ingest_messages_total{outcome=\"dead_lettered\",reason=\"TENANT_NOT_FOUND\"}";
        const string accepted = "notifly_kafka_ingest_messages_total{outcome=\"accepted\"}";
        using var http = fixture.Node.Client();
        var before = await http.GetStringAsync("/metrics");
        var tenant = await fixture.Node.CreateTenantAsync();
        var unknown = Guid.NewGuid();
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(unknown, IngestionProbe.Request(unknown, $"m-{Guid.NewGuid():N}", fixture.Webhooks.Url), tenantHeader: true));
            await producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, $"m-{Guid.NewGuid():N}", fixture.Webhooks.Url)));
        }

        var after = await Eventually.MatchAsync(() => http.GetStringAsync("/metrics"),
            text => MetricsText.Value(text, deadLettered) >= MetricsText.Value(before, deadLettered) + 1
                    && MetricsText.Value(text, accepted) >= MetricsText.Value(before, accepted) + 1,
            Wait, "both messages to be counted");
        MetricsText.Has(after, "notifly_kafka_ingest_lag").Should().BeTrue();
    }

    [Fact]
    public async Task Same_notification_id_with_another_request_is_dead_lettered_as_idempotent_conflict()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var id = $"conflict-{Guid.NewGuid():N}";
        var partition = new TopicPartition(fixture.Topics.Requested, new Partition(2));
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, id, fixture.Webhooks.Url, 1)));
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, id, fixture.Webhooks.Url, 2)));
        }

        var dead = (await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, Wait)).Single();
        dead.Header(KafkaHeaders.ErrorCode).Should().Be("IDEMPOTENT_CONFLICT");
        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Should().Be((1, 1));
    }

    [Fact]
    public async Task Brokers_down_mid_stream_and_back_lose_and_duplicate_nothing()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var url = fixture.Webhooks.UrlFor($"/outage/{tenant.Id:N}");
        const int total = 3000;
        var started = Stopwatch.StartNew();

        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            var deliveries = new List<Task>(total);
            for (var i = 0; i < total; i++)
            {
                deliveries.Add(producer.ProduceAsync(fixture.Topics.Requested,
                    IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, $"o-{i}", url, i), key: $"k-{i % 16}")));
                if (i == total / 3)
                {
                    await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
                        c => c.Rows > 0, Wait, "ingestion to be under way");
                    fixture.Cluster.SetBrokerDown(1);
                }
                else if (i == total / 2)
                {
                    fixture.Cluster.SetAllBrokers(false);
                    // The outage itself: a fixed stretch is the point here, not a wait for a condition.
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    fixture.Cluster.SetAllBrokers(true);
                }
                else if (i % 100 == 0)
                {
                    await Task.Delay(5); // a stream, not one burst
                }
            }

            await Task.WhenAll(deliveries);
        }

        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
            c => c.Rows >= total, TimeSpan.FromSeconds(60), "every request to be stored after the outage");
        output.WriteLine($"stored after {started.Elapsed}");
        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Should().Be((total, total));
    }

    [Fact]
    public async Task A_request_naming_only_a_user_id_is_sent_to_the_address_in_the_profile()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var path = $"/profile/{tenant.Id:N}";
        (await tenant.Http.PutAsJsonAsync("/api/recipients/u-kafka", new { webhookUrl = fixture.Webhooks.UrlFor(path) }, Json.Options))
            .EnsureSuccessStatusCode();
        var id = $"profile-{Guid.NewGuid():N}";

        await ProduceAsync(tenant.Id, new { notificationId = id, organizationId = tenant.Id, eventType = "order.shipped", userId = "u-kafka", payload = new { } });

        var delivered = await fixture.Webhooks.WaitForRequestsAsync(1, Wait, r => r.Path == path);
        delivered.Should().ContainSingle();
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, id)).Should().BeTrue();
    }

    [Fact]
    public async Task A_request_without_channels_uses_the_event_types_fallback_order()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/admin/settings",
                new { channelFallback = new Dictionary<string, string[]> { ["kafka.fallback"] = ["WEBHOOK", "EMAIL"] } }, Json.Options))
            .EnsureSuccessStatusCode();
        var path = $"/fallback/{tenant.Id:N}";

        await ProduceAsync(tenant.Id, new
        {
            notificationId = $"fallback-{Guid.NewGuid():N}", organizationId = tenant.Id, eventType = "kafka.fallback",
            recipient = new { email = "ada@example.com", webhookUrl = fixture.Webhooks.UrlFor(path) }, payload = new { },
        });

        await fixture.Webhooks.WaitForRequestsAsync(1, Wait, r => r.Path == path);
        var stored = (await (await tenant.Http.GetAsync("/api/notifications?eventType=kafka.fallback")).ReadAsync<Page<NotificationView>>()).Items;
        stored.Should().ContainSingle().Which.Channels.Should().Equal([Channel.Webhook, Channel.Email],
            "the fallback order, not every channel with an address at once");
    }

    [Fact]
    public async Task A_request_naming_a_template_is_stored_and_sent_with_the_rendered_text()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateTemplateAsync(tenant.Http);
        var path = $"/template/{tenant.Id:N}";

        await ProduceAsync(tenant.Id, new
        {
            notificationId = $"template-{Guid.NewGuid():N}", organizationId = tenant.Id, eventType = "order.shipped", channel = "WEBHOOK",
            recipient = fixture.Webhooks.UrlFor(path), template = "shipped", payload = new { name = "Ada", id = "A1" },
        });

        var body = (await fixture.Webhooks.WaitForRequestsAsync(1, Wait, r => r.Path == path)).Single().Body;
        using var json = JsonDocument.Parse(body);
        var data = json.RootElement.GetProperty("data");
        data.GetProperty("subject").GetString().Should().Be("Order A1");
        data.GetProperty("body").GetString().Should().Be("Hi Ada, order A1 has shipped.");
    }

    [Fact]
    public async Task Unknown_template_and_missing_variable_are_dead_lettered_with_the_rest_codes()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateTemplateAsync(tenant.Http);
        var unknown = $"unknown-{Guid.NewGuid():N}";
        var missing = $"missing-{Guid.NewGuid():N}";

        await ProduceAsync(tenant.Id, new
        {
            notificationId = unknown, organizationId = tenant.Id, eventType = "order.shipped", channel = "WEBHOOK",
            recipient = fixture.Webhooks.Url, template = "nope", payload = new { name = "Ada", id = "A1" },
        });
        await ProduceAsync(tenant.Id, new
        {
            notificationId = missing, organizationId = tenant.Id, eventType = "order.shipped", channel = "WEBHOOK",
            recipient = fixture.Webhooks.Url, template = "shipped", payload = new { name = "Ada" },
        });

        var dead = await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Header(KafkaHeaders.CorrelationId) is { } c && (c == unknown || c == missing), 2, Wait);
        var notFound = dead.Single(r => r.Header(KafkaHeaders.CorrelationId) == unknown);
        notFound.Header(KafkaHeaders.ErrorCode).Should().Be("TEMPLATE_NOT_FOUND");
        var invalid = dead.Single(r => r.Header(KafkaHeaders.CorrelationId) == missing);
        invalid.Header(KafkaHeaders.ErrorCode).Should().Be("VALIDATION_FAILED");
        invalid.Header(KafkaHeaders.ErrorMessage).Should().Contain("'id'");
        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Rows.Should().Be(0);
    }

    private async Task ProduceAsync(Guid tenantId, object request)
    {
        using var producer = IngestionProbe.Producer(fixture.BootstrapServers);
        await producer.ProduceAsync(fixture.Topics.Requested, IngestionProbe.Message(tenantId, JsonSerializer.SerializeToUtf8Bytes(request, Json.Options)));
    }

    private static async Task CreateTemplateAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/api/admin/templates", new
        {
            name = "shipped", channel = "WEBHOOK", subject = "Order {{id}}", body = "Hi {{name}}, order {{id}} has shipped.",
            variables = new[] { new { name = "name", required = true }, new { name = "id", required = true } },
        });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
    }
}
