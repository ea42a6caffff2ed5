// Kafka requests carrying text PostgreSQL cannot store — a NUL escape, an unpaired surrogate,
// bytes that are not UTF-8 — go to notification.requested.dlt as VALIDATION_FAILED naming the
// field, and the valid requests of the same partition around them are stored: one message's
// content never fails its batch (docs/0018). Real mock cluster over TCP, real database.
using System.Text;
using Confluent.Kafka;
using Notifly.Grains.Kafka;
using Notifly.Tests.Support;

namespace Notifly.Tests.Kafka.Ingestion;

public class KafkaUnstorableTextTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    [Fact]
    public async Task Unstorable_text_is_dead_lettered_while_its_partition_keeps_flowing()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var url = fixture.Webhooks.UrlFor($"/unstorable/{tenant.Id:N}");
        var partition = new TopicPartition(fixture.Topics.Requested, new Partition(2));
        string Envelope(string id, string extra) =>
            $$$"""{"notificationId":"{{{id}}}","organizationId":"{{{tenant.Id}}}","eventType":"t","channel":"WEBHOOK","recipient":"{{{url}}}",{{{extra}}}}""";
        var poisons = new Dictionary<string, (byte[] Value, string Field)>
        {
            ["nul"] = (Encoding.UTF8.GetBytes(Envelope("nul", "\"subject\":\"a\\u0000b\",\"payload\":{}")), "$.subject"),
            ["surrogate"] = (Encoding.UTF8.GetBytes(Envelope("surrogate", "\"payload\":{\"k\":\"\\ud800\"}")), "$.payload.k"),
            ["bytes"] = ([.. Encoding.UTF8.GetBytes(Envelope("bytes", "\"payload\":{\"k\":\"x")[..^1]), 0xFF, .. "\"}}"u8], "$.payload.k"),
        };

        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, "before", url)));
            foreach (var (_, poison) in poisons)
            {
                await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, poison.Value));
            }

            await producer.ProduceAsync(partition, IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, "after", url)));
        }

        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
            c => c.Rows >= 2, TimeSpan.FromSeconds(20), "the requests around the poison to be stored");
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "before")).Should().BeTrue();
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, "after")).Should().BeTrue();

        var dead = await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter, KafkaNodeFixture.Partitions,
            r => poisons.Values.Any(p => r.Message.Value.AsSpan().SequenceEqual(p.Value)), poisons.Count, TimeSpan.FromSeconds(20));
        foreach (var (name, poison) in poisons)
        {
            var letter = dead.Single(r => r.Message.Value.AsSpan().SequenceEqual(poison.Value));
            letter.Header(KafkaHeaders.ErrorCode).Should().Be("VALIDATION_FAILED", name);
            letter.Header(KafkaHeaders.ErrorMessage).Should().StartWith(poison.Field, name);
        }

        (await IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id)).Rows.Should().Be(2, "nothing of the poison was stored");
    }
}
