namespace Notifly.GrainInterfaces.Notifications;

/// <summary>The 202 body of seed 000; replayed verbatim for a repeated idempotency key.</summary>
public sealed record NotificationAccepted(Guid RequestId, NotificationStatus Status, Guid CorrelationId);
