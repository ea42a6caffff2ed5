using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Channels;

/// <summary>
/// One attempt to hand a notification to a channel. <see cref="IdempotencyKey"/> is stable for
/// the notification and channel across attempts, so a receiver can drop a duplicate caused by a
/// lease that expired while the first attempt was in fact delivered.
/// </summary>
public sealed record SendWork(
    Guid NotificationId,
    Guid TenantId,
    Guid CorrelationId,
    Channel Channel,
    int Attempt,
    string EventType,
    string PayloadJson,
    Recipient Recipient,
    string? UserId,
    string? Subject,
    string? Body,
    DateTimeOffset CreatedAt,
    string WebhookSecret,
    Priority Priority = Priority.Normal,
    bool BodyIsHtml = false)
{
    /// <summary>Normal and low: work that may not use the slots reserved for instant and high.</summary>
    public bool IsBulk => Priority >= Priority.Normal;

    public string IdempotencyKey => $"{NotificationId:N}.{Channel.ToString().ToLowerInvariant()}";
}
