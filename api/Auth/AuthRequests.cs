using Notifly.Grains.Users;

namespace Notifly.Api.Auth;

/// <summary>
/// Sign in to a tenant (its slug) as one of its users. <c>session</c>: <c>"cookie"</c> keeps the
/// refresh token in an HttpOnly cookie only (browsers: no script can read it); otherwise it is in
/// the answer.
/// </summary>
public sealed record LoginRequest(string? Tenant, string? Email, string? Password, string? Session);

/// <summary>The refresh token to trade (or to end, for logout); left out, the cookie's is used.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>A set-password link's token and the password chosen.</summary>
public sealed record SetPasswordRequest(string? Token, string? Password);

/// <summary>
/// A signed-in user's tokens: the access token for <c>Authorization: Bearer</c> until
/// <c>ExpiresAt</c>, and the refresh token for the next one (absent when kept in the cookie).
/// </summary>
public sealed record TokenResponse(
    string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string? RefreshToken, DateTimeOffset SessionExpiresAt, AdminUser User);

/// <summary>Who the caller is: a signed-in user or an API key.</summary>
public sealed record CallerView(string Kind, Guid Id, Guid TenantId, string Name, string Role);
