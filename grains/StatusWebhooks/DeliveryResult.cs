using Notifly.GrainInterfaces.StatusWebhooks;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>A finished attempt as the dispatcher records it: the delivery's next state and why.</summary>
internal sealed record DeliveryResult(ClaimedDelivery Delivery, CallResult Call, WebhookDeliveryStatus Status, DateTimeOffset? NextAttemptAt, DateTimeOffset FinishedAt);
