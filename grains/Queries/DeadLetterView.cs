using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Queries;

/// <summary>An open dead-letter entry (seed 000 failed_notifications).</summary>
public sealed record DeadLetterView(
    Guid Id, Guid RequestId, Channel Channel, string ErrorCode, string? ErrorMessage, int Attempts,
    int ManualRetryCount, string EventType, DateTimeOffset CreatedAt);
