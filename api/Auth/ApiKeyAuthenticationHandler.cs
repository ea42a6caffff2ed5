using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Api.Http;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Api.Auth;

/// <summary>Authenticates <c>Authorization: Bearer nf_live_…</c> and answers 401/403 as problem details.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService apiKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        ApiPrincipal? principal;
        try
        {
            principal = await apiKeys.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        }
        catch (TenantSuspendedException)
        {
            AuthItems.MarkSuspended(Context);
            return AuthenticateResult.Fail("tenant suspended");
        }

        if (principal is null)
        {
            return AuthenticateResult.Fail("invalid API key");
        }

        Context.Features.Set(principal);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, principal.KeyId!.Value.ToString()),
                new Claim("tenant_id", principal.TenantId.ToString()),
                new Claim(ClaimTypes.Role, principal.Role),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        (AuthItems.IsSuspended(Context) ? Problems.TenantSuspended() : Problems.InvalidApiKey()).ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.Forbidden().ExecuteAsync(Context);
}
