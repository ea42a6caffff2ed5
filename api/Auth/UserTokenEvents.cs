using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Notifly.Api.Http;
using Notifly.Grains.Tenants;
using Notifly.Grains.Users;

namespace Notifly.Api.Auth;

/// <summary>
/// What a valid access token still has to pass: the user must be active, its session not ended,
/// its tenant not suspended, and its role is taken as it is now, not as the token says. One query
/// per request, so deactivation, a role change and a logout apply from the next request.
/// </summary>
public static class UserTokenEvents
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>A bearer token that is a JWT (three dot-separated parts), not an API key.</summary>
    public static bool IsUserToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && !header.AsSpan(7).TrimStart().StartsWith(ApiKeyToken.Scheme, StringComparison.Ordinal)
            && header.AsSpan(7).Count('.') == 2;
    }

    public static JwtBearerEvents Create() => new()
    {
        OnTokenValidated = async context =>
        {
            var claims = context.Principal!;
            if (!Guid.TryParse(claims.FindFirstValue(JwtRegisteredClaimNames.Sub), out var userId)
                || !Guid.TryParse(claims.FindFirstValue(AccessTokens.SessionClaim), out var sessionId))
            {
                context.Fail("token without a user or session");
                return;
            }

            var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionStore>();
            if (await sessions.CurrentAsync(userId, sessionId, context.HttpContext.RequestAborted) is not { } current)
            {
                context.Fail("the user is inactive or the session ended");
                return;
            }

            if (current.TenantStatus == Tenant.Suspended)
            {
                AuthItems.MarkSuspended(context.HttpContext);
                context.Fail("tenant suspended");
                return;
            }

            var user = current.User;
            context.HttpContext.Features.Set(new ApiPrincipal(user.TenantId, null, user.Email, user.Role, user.Id));
            context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                    new Claim(ClaimTypes.Email, user.Email),
                    new Claim(AccessTokens.TenantClaim, user.TenantId.ToString()),
                    new Claim(AccessTokens.SessionClaim, sessionId.ToString()),
                    new Claim(ClaimTypes.Role, user.Role),
                ], Scheme, ClaimTypes.Email, ClaimTypes.Role));
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            await (AuthItems.IsSuspended(context.HttpContext) ? Problems.TenantSuspended() : Problems.InvalidToken())
                .ExecuteAsync(context.HttpContext);
        },
        OnForbidden = context => Problems.Forbidden().ExecuteAsync(context.HttpContext),
    };
}
