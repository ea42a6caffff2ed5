using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Notifications;

/// <summary>
/// Turns a new notification's deliveries into a fallback chain (docs/0008): the first channel
/// that is due to go keeps its place, every later one waits in STANDBY (not due, no reminder)
/// until the one before it fails for good. The order of the deliveries is the chain's order.
/// </summary>
public static class FallbackChain
{
    public static NotificationState Hold(NotificationState created)
    {
        var first = true;
        var deliveries = created.Deliveries.Select(d =>
        {
            if (d.Status is not (DeliveryStatus.Pending or DeliveryStatus.Scheduled))
            {
                return d; // e.g. a channel the recipient opted out of: it is not part of the chain
            }

            if (first)
            {
                first = false;
                return d;
            }

            return d with { Status = DeliveryStatus.Standby, DueAt = null };
        }).ToArray();
        return created with { Deliveries = deliveries };
    }
}
