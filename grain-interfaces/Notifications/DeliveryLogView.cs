namespace Notifly.GrainInterfaces.Notifications;

/// <summary>One provider attempt (seed 000 notification_logs), with the id the provider gave the message when it took it.</summary>
public sealed record DeliveryLogView(
    Channel Channel,
    int Attempt,
    string Status,
    long? LatencyMs,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset CreatedAt,
    string? Provider = null,
    string? ProviderMessageId = null);
