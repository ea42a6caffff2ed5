namespace Notifly.Grains.Kafka.Outbox;

/// <summary>A claimed outbox row with what the relay joins from <c>notifications</c> (null once the notification is gone).</summary>
internal sealed record OutboxRow(
    long Id,
    Guid TenantId,
    Guid NotificationId,
    string Topic,
    string Payload,
    DateTimeOffset CreatedAt,
    Guid? CorrelationId,
    string? EventType);
