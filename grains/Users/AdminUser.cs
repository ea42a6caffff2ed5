namespace Notifly.Grains.Users;

/// <summary>
/// An admin user as the API shows it: never a password or its hash. <see cref="Invited"/>: the
/// user has not yet set a password through the invitation link.
/// </summary>
public sealed record AdminUser(
    Guid Id, Guid TenantId, string Email, string Role, bool Active, bool Invited,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastLoginAt);

/// <summary>A user just invited, the one-time link token that lets them set a password, and their tenant's slug (to sign in with).</summary>
public sealed record InvitedUser(AdminUser User, string InvitationToken, DateTimeOffset InvitationExpiresAt, string TenantSlug);

/// <summary>A signed-in user's session: who, and the refresh token to use next (shown once).</summary>
public sealed record UserSession(AdminUser User, Guid SessionId, string RefreshToken, DateTimeOffset ExpiresAt);
