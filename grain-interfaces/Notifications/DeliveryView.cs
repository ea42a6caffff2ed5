namespace Notifly.GrainInterfaces.Notifications;

public sealed record DeliveryView(
    Channel Channel,
    DeliveryStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastErrorCode,
    string? LastError,
    DateTimeOffset? SentAt);
