namespace Notifly.Grains.Kafka.Outbox;

/// <summary>A claimed outbox row; the correlation id and event type are the row's own, or for rows from before migration 0016 the notification's (null once it is gone). <see cref="TraceParent"/>: the notification's trace (migration 0024).</summary>
internal sealed record OutboxRow(
    long Id,
    Guid TenantId,
    Guid NotificationId,
    string Topic,
    string Payload,
    DateTimeOffset CreatedAt,
    Guid? CorrelationId,
    string? EventType,
    string? TraceParent = null);
