namespace Notifly.Grains.Kafka;

/// <summary>Header names on every message Notifly produces (seed 000), plus the ones we add.</summary>
public static class KafkaHeaders
{
    public const string CorrelationId = "correlation-id";
    public const string TenantId = "tenant-id";
    public const string RequestId = "request-id";
    public const string RetryCount = "retry-count";
    public const string OriginalTopic = "original-topic";

    /// <summary>Milliseconds since the Unix epoch, as text.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>Unique per event and stable across re-publishing: consumers dedupe on it.</summary>
    public const string EventId = "event-id";

    // On notification.requested.dlt: why the request was refused and where it came from.
    public const string ErrorCode = "error-code";
    public const string ErrorMessage = "error-message";
    public const string OriginalPartition = "original-partition";
    public const string OriginalOffset = "original-offset";
}
