using Confluent.Kafka;
using FluentAssertions;
using Notifly.Tests.Support;
using Xunit;

namespace Notifly.Tests.Kafka;

// Covers the test broker itself: Confluent.Kafka talks to the mock cluster over TCP (produce,
// consumer group), and both run on librdkafka.redist's native library. Notifly's own Kafka code
// is tested in the Ingestion and Outbox tests.
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

    [Fact]
    public void Clients_and_mock_run_on_one_copy_of_the_redist_librdkafka()
    {
        // Loads Confluent.Kafka's librdkafka; the fixture has already loaded the mock's.
        Library.Version.Should().BeGreaterThanOrEqualTo(0x021000ff, "librdkafka.redist 2.16.0 is pinned");

        // Not the operating system's librdkafka.so.1, and not two different files.
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[^1].Contains("rdkafka", StringComparison.Ordinal))
            .Select(fields => fields[^1])
            .Distinct();
        mapped.Should().ContainSingle().Which.Should().Contain("/runtimes/linux-x64/native/");
    }
}
