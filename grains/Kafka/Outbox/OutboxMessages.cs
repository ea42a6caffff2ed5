using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Notifly.GrainInterfaces.Kafka;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Kafka.Outbox;

/// <summary>Turns a claimed outbox row into the Kafka message the relay produces.</summary>
internal static class OutboxMessages
{
    /// <param name="topic">The row's topic with the deployment's prefix.</param>
    /// <param name="traceParent">The publishing span's W3C context, for consumers to continue the trace.</param>
    public static Message<string, byte[]> Build(OutboxRow row, string topic, string? traceParent = null)
    {
        var (value, retryCount) = row.Topic switch
        {
            KafkaTopics.StatusName => Status(row),
            KafkaTopics.SendDeadLetterName => DeadLetter(row),
            _ => throw new InvalidOperationException($"outbox row {row.Id} names unknown topic '{row.Topic}'"),
        };

        var message = new Message<string, byte[]>
        {
            // Key = tenant: one tenant's events share a partition, and so do each notification's,
            // which is what keeps them in order for consumers.
            Key = row.TenantId.ToString(),
            Value = value,
            Timestamp = new Timestamp(row.CreatedAt),
            Headers = new Headers
            {
                { KafkaHeaders.CorrelationId, Text(row.CorrelationId?.ToString() ?? "") },
                { KafkaHeaders.TenantId, Text(row.TenantId.ToString()) },
                { KafkaHeaders.RequestId, Text(row.NotificationId.ToString()) },
                { KafkaHeaders.RetryCount, Text(retryCount.ToString(CultureInfo.InvariantCulture)) },
                // Our events are not forwarded from anywhere, so their original topic is their own
                // (seed 000 puts the header on every message; docs/0005).
                { KafkaHeaders.OriginalTopic, Text(topic) },
                { KafkaHeaders.Timestamp, Text(row.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)) },
                { KafkaHeaders.EventId, Text(row.Id.ToString(CultureInfo.InvariantCulture)) },
            },
        };
        if (traceParent is not null)
        {
            message.Headers.Add(NotiflyTracing.TraceParentHeader, Text(traceParent));
        }

        return message;
    }

    private static (byte[] Value, int RetryCount) Status(OutboxRow row)
    {
        var complete = Deserialize<NotificationStatusEvent>(row) with
        {
            EventId = row.Id, NotificationId = row.NotificationId, TenantId = row.TenantId,
            CorrelationId = row.CorrelationId, EventType = row.EventType,
        };
        return (JsonSerializer.SerializeToUtf8Bytes(complete, Json.Options), complete.RetryCount);
    }

    private static (byte[] Value, int RetryCount) DeadLetter(OutboxRow row)
    {
        var complete = Deserialize<NotificationDeadLetterEvent>(row) with
        {
            EventId = row.Id, NotificationId = row.NotificationId, TenantId = row.TenantId,
            CorrelationId = row.CorrelationId, EventType = row.EventType,
        };
        return (JsonSerializer.SerializeToUtf8Bytes(complete, Json.Options), Math.Max(0, complete.Attempts - 1));
    }

    // The payload holds what the turn knew; the row's columns supply the rest above.
    private static T Deserialize<T>(OutboxRow row) =>
        JsonSerializer.Deserialize<T>(row.Payload, Json.Options) ?? throw new InvalidOperationException($"outbox row {row.Id} has an empty payload");

    private static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);
}
