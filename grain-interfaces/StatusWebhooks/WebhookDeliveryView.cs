using System.Text.Json;

namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>
/// One event's delivery to one endpoint: <see cref="Id"/> is the <c>webhook-id</c> header the
/// endpoint received, <see cref="Payload"/> the body it was sent, and the <c>response…</c>
/// fields what the last attempt got back.
/// </summary>
public sealed record WebhookDeliveryView(
    Guid Id,
    Guid EndpointId,
    Guid EventId,
    string EventType,
    Guid? NotificationId,
    WebhookDeliveryStatus Status,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? ResponseStatus,
    string? ResponseBody,
    string? Error,
    DateTimeOffset CreatedAt,
    JsonElement Payload);
