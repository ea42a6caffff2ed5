using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Channels;

/// <summary>
/// One attempt to hand a notification to a channel. <see cref="IdempotencyKey"/> is stable for
/// the notification and channel across attempts, so a receiver can drop a duplicate caused by a
/// lease that expired while the first attempt was in fact delivered. <see cref="TraceParent"/> is
/// the W3C trace context of the request that created the notification, for the attempt's span.
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
    bool BodyIsHtml = false,
    DateTimeOffset? SendAt = null,
    string? TraceParent = null)
{
    /// <summary>When the notification was first due: accepted, or its sendAt when that is later.</summary>
    public DateTimeOffset DueSince => SendAt is { } at && at > CreatedAt ? at : CreatedAt;

    /// <summary>Normal and low: work that may not use the slots reserved for instant and high.</summary>
    public bool IsBulk => Priority >= Priority.Normal;

    public string IdempotencyKey => $"{NotificationId:N}.{Channel.ToString().ToLowerInvariant()}";
}
