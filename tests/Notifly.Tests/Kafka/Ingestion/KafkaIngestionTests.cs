// Ingestion from notification.requested on an in-process node: requests produced with a real
// Confluent producer to the mock cluster over TCP are stored once in PostgreSQL and delivered;
// refused messages go to notification.requested.dlt with their error and origin while the
// partition keeps flowing; brokers going away mid-stream lose and duplicate nothing. A process
// killed between the database commit and the offset store is covered in IngestionKillTests.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Confluent.Kafka;
using Notifly.Grains.Kafka;
using Notifly.Tests.Support;
using Notifly.Tests.Tenants.RateLimits;
using Xunit.Abstractions;

namespace Notifly.Tests.Kafka.Ingestion;

public class KafkaIngestionTests(KafkaNodeFixture fixture, ITestOutputHelper output) : IClassFixture<KafkaNodeFixture>
{
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
            c => c.Rows >= 3, TimeSpan.FromSeconds(20), "the messages around the poison to be stored");
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "after-1")).Should().BeTrue();
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "after-2")).Should().BeTrue();

        var dead = await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => r.Message.Value.AsSpan().SequenceEqual(notJson) || r.Message.Value.AsSpan().SequenceEqual(invalid), 2, TimeSpan.FromSeconds(20));

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
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, TimeSpan.FromSeconds(20))).Single();
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
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, TimeSpan.FromSeconds(20))).Single();
        dead.Header(KafkaHeaders.ErrorCode).Should().Be("CHANNEL_DISABLED");
        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Rows.Should().Be(0);
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
            r => r.Header(KafkaHeaders.CorrelationId) == id, 1, TimeSpan.FromSeconds(20))).Single();
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
                        c => c.Rows > 0, TimeSpan.FromSeconds(20), "ingestion to be under way");
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
}
