using Confluent.Kafka;
using FluentAssertions;
using Notifly.Tests.Support;
using Xunit;

namespace Notifly.Tests.Kafka;

// Covers the test broker itself: Confluent.Kafka 1.9.3 on Debian's librdkafka talks to the mock
// cluster over TCP (produce, consumer group, broker outage). Notifly's own Kafka code is tested
// in the Ingestion and Outbox tests.
public sealed class MockKafkaClusterTests(KafkaClusterFixture kafka) : IClassFixture<KafkaClusterFixture>
{
    [Fact]
    public void Produced_messages_are_consumed_through_a_consumer_group()
    {
        var topic = kafka.CreateUniqueTopic("smoke");
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
               {
                   BootstrapServers = kafka.BootstrapServers, EnableIdempotence = true,
               }).Build())
        {
            for (var i = 0; i < 100; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = $"k{i % 7}", Value = $"v{i}" });
            }

            producer.Flush(TimeSpan.FromSeconds(10)).Should().Be(0);
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers, GroupId = Guid.NewGuid().ToString(), AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var seen = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen.Count < 100 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                seen.Add(result.Message.Value);
            }
        }

        seen.Should().HaveCount(100);
        consumer.Close();
    }
}
