using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Api.Http;

namespace Notifly.Api.Operator;

/// <summary>
/// Authenticates <c>Authorization: Bearer {operator token}</c> for the operator API. Tokens are
/// compared as SHA-256 digests in constant time, so neither a token's length nor its first
/// differing byte shows in the answer's timing.
/// </summary>
public sealed class OperatorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<OperatorOptions> operators)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Operator";
    public const string Policy = "operator";
    public const string ActorName = "operator";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var matched = false;
        foreach (var token in operators.CurrentValue.Tokens)
        {
            // No early exit: every configured token is compared whatever matched before.
            matched |= CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));
        }

        if (!matched)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid operator token"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, ActorName)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidOperatorToken, "An operator token is required.",
            operators.CurrentValue.Tokens.Count == 0
                ? "This deployment has no operator token: set Notifly__Operator__Tokens__0 to enable the operator API."
                : "Send 'Authorization: Bearer <operator token>' with one of the deployment's Notifly:Operator:Tokens.")
            .ExecuteAsync(Context);
}
