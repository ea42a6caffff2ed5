namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Body of <c>GET /api/notifications/{requestId}</c>.</summary>
public sealed record NotificationDetails(
    NotificationView Notification,
    NotificationContent Content,
    IReadOnlyList<DeliveryView> Deliveries,
    IReadOnlyList<DeliveryLogView> Logs);
