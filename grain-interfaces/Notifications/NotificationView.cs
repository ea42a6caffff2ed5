namespace Notifly.GrainInterfaces.Notifications;

public sealed record NotificationView(
    Guid Id,
    Guid RequestId,
    Guid CorrelationId,
    string EventType,
    NotificationStatus Status,
    Priority Priority,
    IReadOnlyList<Channel> Channels,
    string? UserId,
    string? IdempotencyKey,
    DateTimeOffset? SendAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt = null);
