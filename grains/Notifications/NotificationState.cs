using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Notifications;

/// <summary>
/// The persisted state of a NotificationGrain (one row of <c>notifications</c>). <see cref="Retry"/>
/// is the tenant's retry policy for the event type, bound when the request was accepted; null
/// means the deployment's <c>Notifly:Retry</c> (docs/0008). After <see cref="ExpiresAt"/> nothing is
/// attempted any more: what has not been sent by then ends EXPIRED.
/// </summary>
public sealed record NotificationState(
    Guid Id,
    Guid TenantId,
    NotificationStatus Status,
    int Version,
    IReadOnlyList<DeliveryState> Deliveries,
    RetryPolicy? Retry = null,
    DateTimeOffset? ExpiresAt = null)
{
    public DeliveryState? Delivery(Channel channel) => Deliveries.FirstOrDefault(d => d.Channel == channel);

    /// <summary>When the grain's reminder must fire next; null when nothing is pending.</summary>
    public DateTimeOffset? NextDueAt =>
        Deliveries.Where(d => !d.IsTerminal && d.DueAt is not null).Select(d => d.DueAt).Min();

    /// <param name="skipped">Channels the recipient opted out of: SKIPPED from the start, never due (docs/0009).</param>
    public static NotificationState Create(
        Guid id, Guid tenantId, IEnumerable<Channel> channels, DateTimeOffset now, DateTimeOffset? sendAt, IReadOnlyCollection<Channel>? skipped = null,
        DateTimeOffset? expiresAt = null)
    {
        var scheduled = sendAt is { } at && at > now;
        var deliveries = channels
            .Select(c => skipped?.Contains(c) == true
                ? new DeliveryState(c, DeliveryStatus.Skipped)
                : new DeliveryState(c, scheduled ? DeliveryStatus.Scheduled : DeliveryStatus.Pending, DueAt: scheduled ? sendAt : now))
            .ToArray();
        var status = deliveries.All(d => d.Status == DeliveryStatus.Skipped) ? NotificationStatus.Skipped
            : scheduled ? NotificationStatus.Scheduled : NotificationStatus.Accepted;
        return new NotificationState(id, tenantId, status, 1, deliveries, ExpiresAt: expiresAt);
    }
}
