namespace Notifly.GrainInterfaces.Tenants;

/// <summary>One retry policy (seed 000's retry_policy). Nullable so a PUT can name what it left out.</summary>
public sealed record RetryPolicySettings(int? MaxAttempts, int? InitialDelayMs, int? MaxDelayMs, double? BackoffMultiplier);
