namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// One retry policy (seed 000's retry_policy). Nullable so a PUT can name what it left out.
/// <see cref="TtlSeconds"/>, optional: how long the event type's notifications stay worth
/// sending, counted from acceptance (or sendAt), for requests that name no expiresAt.
/// </summary>
public sealed record RetryPolicySettings(int? MaxAttempts, int? InitialDelayMs, int? MaxDelayMs, double? BackoffMultiplier, int? TtlSeconds = null);
