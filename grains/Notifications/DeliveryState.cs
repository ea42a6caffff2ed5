using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Notifications;

/// <summary>
/// One channel's delivery inside a NotificationGrain. <see cref="DueAt"/> means "next attempt"
/// while waiting and "lease expiry" while an attempt is in flight; the grain's reminder is the
/// earliest <see cref="DueAt"/> of its deliveries. <see cref="Superseded"/> marks a channel of a
/// fallback chain that failed for good and handed over to the next one: it no longer decides the
/// notification's status and never entered the dead-letter queue (docs/0008).
/// </summary>
public sealed record DeliveryState(
    Channel Channel,
    DeliveryStatus Status,
    int Attempts = 0,
    int RoundStart = 0,
    DateTimeOffset? DueAt = null,
    string? LastErrorCode = null,
    string? LastError = null,
    DateTimeOffset? SentAt = null,
    string? ProviderMessageId = null,
    bool Superseded = false)
{
    /// <summary>Attempts made since the delivery was created or last retried by hand.</summary>
    public int AttemptsInRound => Attempts - RoundStart;

    public bool IsTerminal => Status is DeliveryStatus.Sent or DeliveryStatus.Delivered or DeliveryStatus.Bounced or DeliveryStatus.Failed or DeliveryStatus.Cancelled or DeliveryStatus.Skipped
        or DeliveryStatus.Expired;
}
