using Microsoft.Extensions.Logging;
using Notifly.Grains.Kafka;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Single-node mode's Kafka when none is configured: librdkafka's mock cluster in this process,
/// listening on loopback, with Notifly's topics. Real Kafka clients (kcat, other services) can
/// produce to and consume from it; it keeps everything in memory and loses it on exit.
/// </summary>
public static partial class EmbeddedKafka
{
    public const int Partitions = 4;

    public static MockKafkaCluster Start(KafkaTopics topics, ILogger logger)
    {
        var cluster = MockKafkaCluster.Start(brokers: 1);
        foreach (var topic in topics.All)
        {
            cluster.CreateTopic(topic, Partitions);
        }

        LogStarted(logger, cluster.BootstrapServers);
        return cluster;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Kafka: no Kafka:BootstrapServers configured, so an embedded in-memory mock cluster is running at {BootstrapServers}. " +
                  "It is NOT durable: messages and consumer offsets are lost when Notifly stops. Set Kafka__BootstrapServers to use a real cluster.")]
    private static partial void LogStarted(ILogger logger, string bootstrapServers);
}
