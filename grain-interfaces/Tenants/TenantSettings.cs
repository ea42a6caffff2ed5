namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// The body of <c>GET/PUT /api/admin/settings</c>. Policies that come later (retry policy,
/// channel fallback) become siblings of <see cref="RateLimits"/>.
/// </summary>
public sealed record TenantSettings(RateLimitSettings? RateLimits);
