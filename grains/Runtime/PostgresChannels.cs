namespace Notifly.Grains.Runtime;

/// <summary>LISTEN/NOTIFY channel names shared by every node.</summary>
public static class PostgresChannels
{
    /// <summary>New or re-armed reminders may be due now.</summary>
    public const string Reminders = "notifly_reminders";

    /// <summary>A tenant's status-webhook endpoints changed (added, removed, disabled); payload is its id.</summary>
    public const string WebhookEndpoints = "notifly_webhook_endpoints";

    /// <summary>Status-webhook deliveries were queued outside the hot paths (redelivery, test ping).</summary>
    public const string WebhookDeliveries = "notifly_webhook_deliveries";
}
