using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Kafka;

/// <summary>
/// A message on <c>notification.send.dlt</c>: one channel of a notification failed for good and
/// entered the dead-letter queue. At least once, like <see cref="NotificationStatusEvent"/>:
/// dedupe on <see cref="EventId"/>.
/// </summary>
/// <param name="CorrelationId">Null only when the notification was deleted before the event was published.</param>
/// <param name="EventType">The notification's event type; null as for <paramref name="CorrelationId"/>.</param>
public sealed record NotificationDeadLetterEvent(
    long EventId,
    Guid NotificationId,
    Guid TenantId,
    Guid? CorrelationId,
    string? EventType,
    Channel Channel,
    string ErrorCode,
    string? ErrorMessage,
    int Attempts,
    DateTimeOffset OccurredAt);
