using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Notifly.Grains.Users;

namespace Notifly.Api.Auth;

/// <summary>Issues the short-lived access tokens (JWT, HS256) a signed-in user sends as <c>Authorization: Bearer</c>.</summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, TimeProvider time)
{
    public const string Audience = "notifly-api";
    public const string TenantClaim = "tenant_id";
    public const string SessionClaim = "sid";

    private readonly AuthOptions _options = options.Value;
    private readonly JsonWebTokenHandler _handler = new();

    public bool Configured => _options.SigningKeys.Count > 0;

    public IEnumerable<SecurityKey> ValidationKeys => _options.SigningKeys.Select(Key);

    public (string Token, DateTimeOffset ExpiresAt) Issue(AdminUser user, Guid sessionId)
    {
        var now = time.GetUtcNow();
        var expires = now + _options.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
                new Claim(JwtRegisteredClaimNames.Email, user.Email),
                new Claim("role", user.Role),
                new Claim(TenantClaim, user.TenantId.ToString()),
                new Claim(SessionClaim, sessionId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(Key(_options.SigningKeys[0]), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }

    private static SymmetricSecurityKey Key(string base64) => new(Convert.FromBase64String(base64));
}
