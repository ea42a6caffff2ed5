namespace Notifly.GrainInterfaces.Tenants;

/// <summary>A tenant's rate limits (seed 000's rate_limit_config). Nullable so a PUT can name what it left out.</summary>
public sealed record RateLimitSettings(int? RequestsPerMinute, int? RequestsPerHour, int? BurstLimit);
