using Notifly.GrainInterfaces.Notifications;
using static Notifly.GrainInterfaces.Notifications.NotificationStatus;

namespace Notifly.Grains.Notifications;

/// <summary>
/// The legal moves of a notification's status: seed 002's machine, extended as
/// ARCHITECTURE.md §3 describes. The grain derives its status from its deliveries and refuses
/// to commit a change this table does not allow.
/// </summary>
public static class NotificationTransitions
{
    private static readonly Dictionary<NotificationStatus, NotificationStatus[]> Legal = new()
    {
        // EXPIRED: expiresAt passed before a channel could send (an outage, a long backoff).
        [Accepted] = [Processing, Cancelled, Expired],
        [Scheduled] = [Processing, Cancelled, Expired],
        // DELIVERED/BOUNCED from PROCESSING: a receipt came for one channel while another was
        // still being sent, and that one has now finished (docs/0014).
        [Processing] = [Retrying, Sent, Failed, Delivered, Bounced, Expired],
        [Retrying] = [Processing, Cancelled, Expired],
        // FAILED/RETRYING from SENT: a receipt says the provider will not deliver after all
        // (SendGrid's dropped), so the channel is dead-lettered or hands over to the next of its
        // chain (docs/0016).
        [Sent] = [Delivered, Bounced, Failed, Retrying],
        [Failed] = [Retrying],
        // DELIVERED → FAILED: one channel's receipt said delivered, then another channel sent at
        // the same time was dropped and dead-lettered; as from PROCESSING, a dead letter wins.
        [Delivered] = [Failed],
        [Cancelled] = [],
        [Skipped] = [],
        [Bounced] = [],
        [Expired] = [],
    };

    public static IEnumerable<(NotificationStatus From, NotificationStatus To)> All =>
        Legal.SelectMany(kv => kv.Value.Select(to => (kv.Key, to)));

    public static bool IsLegal(NotificationStatus from, NotificationStatus to) =>
        from == to || Legal[from].Contains(to);
}
