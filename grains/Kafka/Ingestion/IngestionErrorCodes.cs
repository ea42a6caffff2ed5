namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>Seed 000's error codes as they appear in the <c>error-code</c> header on <c>notification.requested.dlt</c>.</summary>
public static class IngestionErrorCodes
{
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string TenantNotFound = "TENANT_NOT_FOUND";
    public const string TenantSuspended = "TENANT_SUSPENDED";
    public const string IdempotentConflict = "IDEMPOTENT_CONFLICT";
    public const string ChannelDisabled = "CHANNEL_DISABLED";
    public const string InternalError = "INTERNAL_ERROR";
}
