using System.Collections.Frozen;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>
/// The events a tenant's status-webhook endpoint may subscribe to (seed 004's webhook system):
/// one per status a notification can move to, plus <see cref="Test"/>, which only the test ping
/// sends and which needs no subscription.
/// </summary>
public static class StatusWebhookEvents
{
    /// <summary>Intake's first status, ACCEPTED or SCHEDULED.</summary>
    public const string Created = "notification.created";
    public const string Sent = "notification.sent";
    public const string Delivered = "notification.delivered";
    public const string Bounced = "notification.bounced";
    public const string Failed = "notification.failed";

    /// <summary>A failed attempt will be retried: the status became RETRYING.</summary>
    public const string RetryScheduled = "notification.retry_scheduled";
    public const string Cancelled = "notification.cancelled";
    public const string Skipped = "notification.skipped";

    /// <summary>Its expiresAt passed before it could be sent.</summary>
    public const string Expired = "notification.expired";
    public const string Test = "webhook.test";

    public static FrozenSet<string> Subscribable { get; } =
        new[] { Created, Sent, Delivered, Bounced, Failed, RetryScheduled, Cancelled, Skipped, Expired }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The event a turn that moved a notification to <paramref name="status"/> reports; null for
    /// PROCESSING (an attempt started, which the outcome's event reports) and for intake's statuses.
    /// </summary>
    public static string? ForStatus(NotificationStatus status) => status switch
    {
        NotificationStatus.Sent => Sent,
        NotificationStatus.Delivered => Delivered,
        NotificationStatus.Bounced => Bounced,
        NotificationStatus.Failed => Failed,
        NotificationStatus.Retrying => RetryScheduled,
        NotificationStatus.Cancelled => Cancelled,
        NotificationStatus.Skipped => Skipped,
        NotificationStatus.Expired => Expired,
        _ => null,
    };
}
