namespace Notifly.GrainInterfaces.Notifications;

/// <summary>One provider attempt (seed 000 notification_logs).</summary>
public sealed record DeliveryLogView(
    Channel Channel,
    int Attempt,
    string Status,
    long? LatencyMs,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset CreatedAt,
    string? Provider = null);
