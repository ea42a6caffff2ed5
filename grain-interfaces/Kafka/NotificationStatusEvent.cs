using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Kafka;

/// <summary>
/// A message on <c>notification.status</c>: one status change of one notification, from the
/// transactional outbox. Delivery is at least once: dedupe on <see cref="EventId"/>, which also
/// grows with every event of a notification, so "highest event id wins" orders them.
/// </summary>
/// <param name="NotificationId">The request id the intake answered with.</param>
/// <param name="CorrelationId">Null only when the notification was deleted before the event was published.</param>
/// <param name="EventType">The notification's event type (e.g. <c>user.signup</c>); null as for <paramref name="CorrelationId"/>.</param>
/// <param name="PreviousStatus">Null on the first event (ACCEPTED or SCHEDULED).</param>
/// <param name="RetryCount">Attempts beyond the first, the most of any delivery.</param>
/// <param name="Deliveries">Per channel, as of this event; absent on the first event, before any attempt.</param>
public sealed record NotificationStatusEvent(
    long EventId,
    Guid NotificationId,
    Guid TenantId,
    Guid? CorrelationId,
    string? EventType,
    NotificationStatus Status,
    NotificationStatus? PreviousStatus,
    DateTimeOffset OccurredAt,
    int RetryCount,
    IReadOnlyList<DeliverySummary>? Deliveries);
