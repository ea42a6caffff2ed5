// PostgreSQL going away under Kafka ingestion: the batch that cannot be written is retried, no
// offset moves past it, and once the database is back every request is stored exactly once. A
// tenant the node has not seen yet (its policies not cached) waits too: loading them cannot stop
// the ingestion (a chaos run once saw a silo exit that way during a PostgreSQL restart).
// Uses its own durable PostgreSQL and mock cluster so stopping the database disturbs no other test.
using Notifly.Grains.Kafka;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Kafka.Ingestion;

public class IngestionDatabaseOutageTests
{
    [Fact]
    public async Task Requests_consumed_while_postgres_is_down_are_stored_once_it_is_back()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-kafka-outage-{Guid.NewGuid():N}");
        var options = new PrivatePostgresOptions { DataDirectory = directory, KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
        using var cluster = MockKafkaCluster.Start(brokers: 1);
        var topics = new KafkaTopics($"outage{Guid.NewGuid():N}.");
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic, partitions: 2);
        }

        try
        {
            await using var node = await NotiflyNode.StartAsync(postgres.ConnectionString, new Dictionary<string, string?>
            {
                ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
                ["Kafka:TopicPrefix"] = topics.Resolve(""),
                ["Kafka:Ingestion:RetryMaxDelay"] = "00:00:00.500",
            });
            var tenant = await node.CreateTenantAsync();
            var unseen = await node.CreateTenantAsync(); // nothing of it read by the ingestion before the outage
            using var producer = IngestionProbe.Producer(cluster.BootstrapServers);
            async Task ProduceAsync(string stem, int count, TestTenant? to = null)
            {
                to ??= tenant;
                for (var i = 0; i < count; i++)
                {
                    await producer.ProduceAsync(topics.Requested,
                        IngestionProbe.Message(to.Id, IngestionProbe.Request(to.Id, $"{stem}-{i}", "http://127.0.0.1:9/hook", i)));
                }
            }

            await ProduceAsync("before", 200);
            await Eventually.MatchAsync(() => IngestionProbe.CountAsync(postgres.ConnectionString, tenant.Id),
                c => c.Rows == 200, TimeSpan.FromSeconds(20), "the first requests to be stored");

            await postgres.StopAsync();
            await ProduceAsync("during", 300);
            await ProduceAsync("unseen", 20, unseen);
            using (var metrics = node.Client())
            {
                // The ingestion has tried and failed to write the new batch: it is retrying it.
                await Eventually.MatchAsync(() => metrics.GetStringAsync("/metrics"),
                    text => MetricsText.Has(text, "notifly_kafka_ingest_errors_total{kind=\"database\"}"),
                    TimeSpan.FromSeconds(20), "a failed write to be counted");
            }

            options.Port = postgres.Port;
            postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
            await ProduceAsync("after", 100);

            await Eventually.MatchAsync(() => CountOrNoneAsync(postgres.ConnectionString, tenant.Id),
                c => c.Rows >= 600, TimeSpan.FromSeconds(30), "every request to be stored after the outage");
            (await IngestionProbe.CountAsync(postgres.ConnectionString, tenant.Id)).Should().Be((600, 600));
            (await IngestionProbe.CountAsync(postgres.ConnectionString, unseen.Id)).Should().Be((20, 20));
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The count, or none while the restarted server still refuses connections.</summary>
    private static async Task<(long Rows, long Distinct)> CountOrNoneAsync(string connectionString, Guid tenantId)
    {
        try
        {
            return await IngestionProbe.CountAsync(connectionString, tenantId);
        }
        catch (Npgsql.NpgsqlException)
        {
            return (-1, -1);
        }
    }
}
