using Notifly.Grains.Kafka;

namespace Notifly.Tests.Support;

/// <summary>A three-broker librdkafka mock cluster per test class, reached over TCP like any Kafka.</summary>
public sealed class KafkaClusterFixture : IDisposable
{
    public KafkaClusterFixture()
    {
        Cluster = MockKafkaCluster.Start(brokers: 3);
    }

    public MockKafkaCluster Cluster { get; }

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>A topic name no other test uses (tests isolate by name, never by cleaning up).</summary>
    public string CreateUniqueTopic(string stem, int partitions = 4)
    {
        var topic = $"{stem}.{Guid.NewGuid():N}";
        Cluster.CreateTopic(topic, partitions, replicationFactor: 3);
        return topic;
    }

    public void Dispose() => Cluster.Dispose();
}
