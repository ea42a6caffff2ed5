using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Notifly.Bench.Database;
using Notifly.Grains.Kafka;

namespace Notifly.Bench.Kafka;

/// <summary>
/// A mock Kafka cluster in this process with <see cref="Count"/> notification requests for one
/// tenant already waiting on notification.requested, so that the Kafka phases measure how fast
/// the same messages are read (raw) and stored (Notifly) rather than how fast we can produce.
/// The requests are scheduled a day ahead: the dispatcher stays idle and only intake is measured.
/// </summary>
public sealed class KafkaBacklog : IDisposable
{
    // librdkafka's mock broker keeps only about 5 MB per partition and drops older messages:
    // a 300,000-request backlog on 4 partitions loses its head (the consumer then never reaches
    // the count). 32 partitions hold about 450,000 of these requests.
    public const int Partitions = 32;

    private KafkaBacklog(MockKafkaCluster cluster, KafkaTopics topics, string prefix, BenchTenant tenant, int count, long bytes)
    {
        Cluster = cluster;
        Topics = topics;
        TopicPrefix = prefix;
        Tenant = tenant;
        Count = count;
        Bytes = bytes;
    }

    public MockKafkaCluster Cluster { get; }

    public KafkaTopics Topics { get; }

    public string TopicPrefix { get; }

    public BenchTenant Tenant { get; }

    public int Count { get; }

    /// <summary>Message values, summed.</summary>
    public long Bytes { get; }

    public static KafkaBacklog Create(BenchTenant tenant, string webhookUrl, string runId, int count)
    {
        var cluster = MockKafkaCluster.Start(brokers: 1);
        var prefix = $"bench{runId.Replace("-", "", StringComparison.Ordinal)}.";
        var topics = new KafkaTopics(prefix);
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic, Partitions);
        }

        var key = Encoding.UTF8.GetBytes(tenant.TenantId.ToString());
        var headers = new Headers { { KafkaHeaders.TenantId, key } };
        var sendAt = DateTimeOffset.UtcNow.AddDays(1).ToString("O", CultureInfo.InvariantCulture);
        long bytes = 0;
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers, LingerMs = 20, QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        for (var n = 0; n < count; n++)
        {
            var value = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $$$"""{"notificationId":"{{{runId}}}-{{{n}}}","organizationId":"{{{tenant.TenantId}}}","eventType":"bench.event","channel":"WEBHOOK","recipient":"{{{webhookUrl}}}","payload":{"run":"{{{runId}}}","n":{{{n}}}},"sendAt":"{{{sendAt}}}","createdAt":"{{{DateTimeOffset.UtcNow:O}}}"}"""));
            bytes += value.Length;
            // Round-robin partitions: one tenant's key would put the whole backlog on one partition.
            producer.Produce(new TopicPartition(topics.Requested, n % Partitions),
                new Message<byte[], byte[]> { Key = key, Value = value, Headers = headers });
        }

        if (producer.Flush(TimeSpan.FromMinutes(2)) > 0)
        {
            throw new InvalidOperationException("the backlog could not be produced to the mock cluster");
        }

        return new KafkaBacklog(cluster, topics, prefix, tenant, count, bytes);
    }

    public void Dispose() => Cluster.Dispose();
}
