namespace Notifly.Api.Http;

/// <summary>Seed 000's error codes, carried as the <c>code</c> member of every problem detail.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string IdempotentConflict = "IDEMPOTENT_CONFLICT";
    public const string ChannelDisabled = "CHANNEL_DISABLED";
    public const string TemplateNotFound = "TEMPLATE_NOT_FOUND";
    public const string TenantNotFound = "TENANT_NOT_FOUND";

    /// <summary>An operator suspended the caller's tenant: its keys and users are refused until it is resumed.</summary>
    public const string TenantSuspended = "TENANT_SUSPENDED";

    /// <summary>The operator API needs one of the deployment's operator tokens (<c>Notifly:Operator:Tokens</c>).</summary>
    public const string InvalidOperatorToken = "INVALID_OPERATOR_TOKEN";
    public const string InvalidApiKey = "INVALID_API_KEY";

    /// <summary>A user's access token is invalid or expired, its session ended, or a refresh or set-password token is spent.</summary>
    public const string InvalidToken = "INVALID_TOKEN";

    /// <summary>Sign-in refused: the same answer for an unknown tenant or email, an inactive user and a wrong password.</summary>
    public const string InvalidCredentials = "INVALID_CREDENTIALS";

    /// <summary>The deployment has no <c>Notifly:Auth:SigningKeys</c>, so users cannot sign in.</summary>
    public const string AuthNotConfigured = "AUTH_NOT_CONFIGURED";
    public const string InvalidSignature = "INVALID_SIGNATURE";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string InvalidState = "INVALID_STATE";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string Conflict = "CONFLICT";

    /// <summary>A status-webhook URL leads only to addresses webhooks may not reach (docs/0011, docs/0017).</summary>
    public const string DestinationNotAllowed = "DESTINATION_NOT_ALLOWED";

    /// <summary>The deployment has no <c>Notifly:Secrets</c> key, so no secret can be stored.</summary>
    public const string SecretsKeyNotConfigured = "SECRETS_KEY_NOT_CONFIGURED";
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>Any other 4xx the framework or server answers on its own (e.g. 408 when a body arrives too slowly).</summary>
    public const string BadRequest = "BAD_REQUEST";
}
