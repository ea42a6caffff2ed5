namespace Notifly.Grains.Queries;

/// <summary>The lists that page with a <see cref="PageCursor"/>; each refuses the others' cursors.</summary>
public enum PagedList
{
    Notifications,
    DeadLetters,
    WebhookDeliveries,
    Tenants,
}
