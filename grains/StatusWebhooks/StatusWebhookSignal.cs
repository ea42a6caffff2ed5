using Notifly.Grains.Runtime;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// Wakes this node's <see cref="StatusWebhookDispatcher"/>: directly after a local commit that
/// queued deliveries, and through LISTEN/NOTIFY for those the API queued (redelivery, test ping).
/// Deliveries written by another node's turns or intake are found by polling.
/// </summary>
public sealed class StatusWebhookSignal : Signal, IPostgresNotificationHandler
{
    void IPostgresNotificationHandler.Handle(string channel, string payload)
    {
        if (channel == PostgresChannels.WebhookDeliveries)
        {
            Wake();
        }
    }

    void IPostgresNotificationHandler.Reconnected() => Wake();
}
