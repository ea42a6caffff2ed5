using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// One message read from <c>notification.requested</c>: a request ready for the intake, or the
/// reason it goes to the dead-letter topic. Tenant and notification id are kept when known so the
/// dead letter can name them.
/// </summary>
public readonly record struct ParsedRequest(
    Guid? TenantId, string? NotificationId, ValidatedRequest? Request, string? ErrorCode, string? ErrorMessage,
    SendNotificationRequest? NeedsProfile = null)
{
    /// <summary>A request naming a userId but not the addresses it needs: validated once the profile has filled them.</summary>
    public static ParsedRequest Unfilled(Guid tenantId, string notificationId, SendNotificationRequest request) =>
        new(tenantId, notificationId, null, null, null, request);

    public static ParsedRequest Valid(Guid tenantId, string notificationId, ValidatedRequest request) =>
        new(tenantId, notificationId, request, null, null);

    public static ParsedRequest Refused(string code, string message, Guid? tenantId = null, string? notificationId = null) =>
        new(tenantId, notificationId, null, code, message);
}
