// Single-node mode's Kafka: without Kafka:BootstrapServers, `notifly dev` starts librdkafka's mock
// cluster with Notifly's topics; any Kafka client can reach it over TCP. (The banner and the
// wiring into DevMode are checked by hand; this covers what the cluster offers.)
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Notifly.Grains.Kafka;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Hosting;

public class EmbeddedKafkaTests
{
    [Fact]
    public void Starts_with_notiflys_topics_reachable_over_tcp()
    {
        var topics = new KafkaTopics("devtest.");
        using var cluster = EmbeddedKafka.Start(topics, NullLogger.Instance);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        metadata.Topics.Select(t => t.Topic).Should().BeEquivalentTo(topics.All);
        metadata.Topics.Should().OnlyContain(t => t.Partitions.Count == EmbeddedKafka.Partitions);
    }
}
