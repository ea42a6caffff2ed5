using Notifly.Grains.Intake;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// One message read from <c>notification.requested</c>: a request ready for the intake, or the
/// reason it goes to the dead-letter topic. Tenant and notification id are kept when known so the
/// dead letter can name them.
/// </summary>
public readonly record struct ParsedRequest(
    Guid? TenantId, string? NotificationId, ValidatedRequest? Request, string? ErrorCode, string? ErrorMessage)
{
    public static ParsedRequest Valid(Guid tenantId, string notificationId, ValidatedRequest request) =>
        new(tenantId, notificationId, request, null, null);

    public static ParsedRequest Refused(string code, string message, Guid? tenantId = null, string? notificationId = null) =>
        new(tenantId, notificationId, null, code, message);
}
