namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>
/// A status-webhook endpoint as the API shows it: never its signing secret.
/// <see cref="PreviousSecretExpiresAt"/> is set while a rotated-out secret still signs beside the new one.
/// </summary>
public sealed record WebhookEndpointView(
    Guid Id,
    string Url,
    string? Description,
    IReadOnlyList<string> Events,
    IReadOnlyDictionary<string, string> Headers,
    int TimeoutSeconds,
    bool Active,
    DateTimeOffset? DisabledAt,
    string? DisabledReason,
    int ConsecutiveFailures,
    DateTimeOffset? PreviousSecretExpiresAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
