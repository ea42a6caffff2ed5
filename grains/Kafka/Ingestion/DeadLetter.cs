using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// A refused message on its way to <c>notification.requested.dlt</c>: the original key and value,
/// untouched, so it can be fixed and re-produced; why and where from in the headers.
/// </summary>
public sealed record DeadLetter(ConsumeResult<byte[], byte[]> Source, string ErrorCode, string ErrorMessage, Guid? TenantId, string? NotificationId)
{
    public Message<byte[], byte[]> ToMessage(DateTimeOffset now)
    {
        var headers = new Headers
        {
            { KafkaHeaders.ErrorCode, Utf8(ErrorCode) },
            { KafkaHeaders.ErrorMessage, Utf8(ErrorMessage) },
            { KafkaHeaders.OriginalTopic, Utf8(Source.Topic) },
            { KafkaHeaders.OriginalPartition, Utf8(Source.Partition.Value.ToString(CultureInfo.InvariantCulture)) },
            { KafkaHeaders.OriginalOffset, Utf8(Source.Offset.Value.ToString(CultureInfo.InvariantCulture)) },
            { KafkaHeaders.RetryCount, Utf8("0") },
            { KafkaHeaders.Timestamp, Utf8(now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)) },
        };
        if (TenantId is { } tenant)
        {
            headers.Add(KafkaHeaders.TenantId, Utf8(tenant.ToString()));
        }

        if (NotificationId is { } id)
        {
            // Seed 002: the correlation id is the notificationId.
            headers.Add(KafkaHeaders.CorrelationId, Utf8(id));
            headers.Add(KafkaHeaders.RequestId, Utf8(id));
        }

        return new Message<byte[], byte[]> { Key = Source.Message.Key, Value = Source.Message.Value, Headers = headers };
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
