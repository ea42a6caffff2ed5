// The consumer killed between the database commit and the offset commit: the real notifly
// binary ingests a backlog from notification.requested and is SIGKILLed once some rows are in
// PostgreSQL. Offsets are committed rarely here (auto.commit.interval.ms of ten minutes), so
// everything it wrote is redelivered to the next process. That process must store the rest
// and turn the redelivered messages into duplicates, not second notifications. Not covered:
// delivery of the notifications (KafkaIngestionTests).
using System.Diagnostics;
using Notifly.Grains.Kafka;
using Notifly.Tests.Support;

namespace Notifly.Tests.Kafka.Ingestion;

public class IngestionKillTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    [Fact]
    public async Task Consumer_killed_between_db_commit_and_offset_commit_creates_no_duplicate_notifications()
    {
        // Topics of its own: the fixture's in-process node must not consume this backlog.
        var prefix = $"k{Guid.NewGuid().ToString("N")[..8]}.";
        var topics = new KafkaTopics(prefix);
        var group = $"kill-{Guid.NewGuid():N}";
        foreach (var topic in topics.All)
        {
            fixture.Cluster.CreateTopic(topic, KafkaNodeFixture.Partitions, replicationFactor: 3);
        }

        var tenant = await fixture.Node.CreateTenantAsync();
        var url = fixture.Webhooks.UrlFor($"/kill/{tenant.Id:N}");
        const int total = 5000;
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await Task.WhenAll(Enumerable.Range(0, total).Select(i => producer.ProduceAsync(topics.Requested,
                IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, $"kill-{i}", url, i), key: $"k-{i % 16}"))));
        }

        long storedAtKill;
        using (var first = StartNotifly(prefix, group, FreeTcpPort.Pick()))
        {
            try
            {
                var atKill = await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
                    c => c.Rows > 0, TimeSpan.FromSeconds(60), "the first process to store some rows");
                first.Kill(entireProcessTree: true); // SIGKILL: no Close(), so no offset commit
                await first.WaitForExitAsync();
                storedAtKill = (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Rows;
                storedAtKill.Should().BeGreaterThanOrEqualTo(atKill.Rows);
            }
            finally
            {
                if (!first.HasExited)
                {
                    first.Kill(entireProcessTree: true);
                }
            }
        }

        var port = FreeTcpPort.Pick();
        using var second = StartNotifly(prefix, group, port);
        try
        {
            await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
                c => c.Rows >= total, TimeSpan.FromSeconds(90), "the second process to store the rest");
            (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Should().Be((total, total));

            // Proof the window was hit: what the first process committed came back as duplicates.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var duplicates = await Eventually.MatchAsync(async () => Duplicates(await http.GetStringAsync("/metrics")),
                d => d >= storedAtKill, TimeSpan.FromSeconds(20), "the redelivered messages to be counted as duplicates");
            duplicates.Should().BeGreaterThan(0);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    private static long Duplicates(string metrics) =>
        (long)MetricsText.Value(metrics, "notifly_kafka_ingest_messages_total{outcome=\"duplicate\"}");

    private Process StartNotifly(string topicPrefix, string group, int port) => NotiflyProcess.Start(port, new Dictionary<string, string>
    {
        ["ConnectionStrings__Notifly"] = fixture.ConnectionString,
        ["Notifly__Role"] = "All",
        ["Kafka__BootstrapServers"] = fixture.BootstrapServers,
        ["Kafka__TopicPrefix"] = topicPrefix,
        // A group of its own: the mock broker applies the session timeout of the latest member
        // to the whole group, and the fixture's node would bring back the 45 s default.
        ["Kafka__Ingestion__ConsumerGroup"] = group,
        // Small batches widen the window between the first commit and the last message.
        ["Kafka__Ingestion__MaxBatchSize"] = "100",
        // Stored offsets are committed only on close (which SIGKILL skips) ...
        ["Kafka__Properties__auto.commit.interval.ms"] = "600000",
        // ... and the killed member leaves the group after 6 s instead of 45.
        ["Kafka__Properties__session.timeout.ms"] = "6000",
    });
}
