namespace Notifly.GrainInterfaces.Notifications;

/// <summary>
/// One notification, keyed by its request id (docs/0022). Turns asked for from outside the
/// dispatcher — a tenant's cancel or dead-letter retry, a provider's receipt — are calls on it, so
/// an api node that hosts no grains runs them on a silo, one at a time per notification.
/// </summary>
public interface INotificationGrain : IGrainWithGuidKey
{
    /// <summary>Cancels the notification unless it is terminal or has an attempt in flight.</summary>
    Task<NotificationTurnOutcome> Cancel(NotificationCaller caller, CancellationToken cancellationToken);

    /// <summary>
    /// Retries the dead-lettered delivery that entry <paramref name="deadLetterId"/> records: a fresh
    /// round of attempts for its channel, and the entry marked retried, in one transaction.
    /// </summary>
    Task<NotificationTurnOutcome> RetryDeadLetter(NotificationCaller caller, Guid deadLetterId, CancellationToken cancellationToken);

    /// <summary>A provider's verified final word on the message it accepted as <paramref name="providerMessageId"/>.</summary>
    Task<NotificationTurnOutcome> Receipt(
        Guid tenantId, Channel channel, string providerMessageId, ReceiptStatus status, string? errorCode,
        CancellationToken cancellationToken);
}

/// <summary>
/// Whom a turn runs for: the tenant whose rows it may see, and the API key that asked (re-checked
/// inside the turn's transaction, so a key revoked a moment ago on another node cannot act).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NotificationCaller(
    [property: Id(0)] Guid TenantId,
    [property: Id(1)] Guid? ApiKeyId,
    [property: Id(2)] Guid? UserId = null,
    [property: Id(3)] string? Actor = null,
    [property: Id(4)] string? IpAddress = null,
    [property: Id(5)] string? UserAgent = null);

/// <summary>
/// What a turn did: nothing when the tenant has no such notification (or dead-letter entry);
/// otherwise the status it left, and why it changed nothing when it was refused
/// (<c>IN_FLIGHT</c>, <c>NOT_CANCELLABLE</c>, <c>UNKNOWN_MESSAGE</c>…).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NotificationTurnOutcome(
    [property: Id(0)] bool Found,
    [property: Id(1)] NotificationStatus Status,
    [property: Id(2)] string? Rejection)
{
    public static NotificationTurnOutcome NotFound { get; } = new(false, default, null);

    public bool Applied => Found && Rejection is null;
}
