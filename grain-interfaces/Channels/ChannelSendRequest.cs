using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Channels;

/// <summary>One delivery attempt handed to an <see cref="IChannelSenderGrain"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record ChannelSendRequest(
    [property: Id(0)] Guid NotificationId,
    [property: Id(1)] Guid TenantId,
    [property: Id(2)] Guid CorrelationId,
    [property: Id(3)] Channel Channel,
    [property: Id(4)] int Attempt,
    [property: Id(5)] string EventType,
    [property: Id(6)] string PayloadJson,
    [property: Id(7)] Recipient Recipient,
    [property: Id(8)] string? UserId,
    [property: Id(9)] string? Subject,
    [property: Id(10)] string? Body,
    [property: Id(11)] DateTimeOffset CreatedAt,
    [property: Id(12)] string WebhookSecret,
    [property: Id(13)] Priority Priority,
    [property: Id(14)] bool BodyIsHtml);
