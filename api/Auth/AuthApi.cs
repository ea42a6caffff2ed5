using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.Grains.Tenants;
using Notifly.Grains.Users;

namespace Notifly.Api.Auth;

/// <summary>
/// <c>/api/auth</c>: admin users sign in with email and password, get a short-lived access
/// token and a rotating refresh token, and sign out. A reused refresh token ends its session.
/// Failed sign-ins are throttled per account and per address.
/// </summary>
public static class AuthApi
{
    public const string RefreshCookie = "notifly_refresh";
    private const string CookiePath = "/api/auth";

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");
        api.MapPost("/login", Login).WithName("Login").ReadsJsonBody<LoginRequest>().AllowAnonymous()
            .MayAnswer(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests);
        api.MapPost("/refresh", Refresh).WithName("RefreshToken").ReadsJsonBody<RefreshRequest>().AllowAnonymous()
            .MayAnswer(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        api.MapPost("/logout", Logout).WithName("Logout").AllowAnonymous().MayAnswer(StatusCodes.Status400BadRequest);
        api.MapPost("/set-password", SetPassword).WithName("SetPassword").ReadsJsonBody<SetPasswordRequest>().AllowAnonymous();
        api.MapGet("/me", Me).WithName("GetCurrentCaller").RequireAuthorization(Policies.Read);
        return api;
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(
        HttpContext context, SessionStore sessions, LoginThrottle throttle, AccessTokens tokens, IOptions<AuthOptions> options,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<LoginRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        Require(request!.Tenant, "tenant", "tenant (the tenant's slug) is required.", errors);
        Require(request.Email, "email", "email is required.", errors);
        Require(request.Password, "password", "password is required.", errors);
        if (request.Session is not (null or "cookie" or "body"))
        {
            errors["session"] = ["session must be \"cookie\" or \"body\"."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!tokens.Configured)
        {
            return NotConfigured();
        }

        var account = LoginThrottle.AccountKey(request.Tenant!, request.Email!);
        var address = LoginThrottle.AddressKey(context.Connection.RemoteIpAddress?.ToString());
        if (await throttle.LockedForAsync(account, address, cancellationToken) is { } wait)
        {
            return Throttled(context, wait);
        }

        var outcome = await sessions.SignInAsync(request.Tenant!, request.Email!, request.Password!, options.Value.SessionLifetime, cancellationToken);
        switch (outcome)
        {
            case SignIn.Succeeded succeeded:
                await throttle.SucceededAsync(account, cancellationToken);
                return TypedResults.Ok(Answer(context, tokens, succeeded.Session, request.Session == "cookie"));
            case SignIn.Suspended:
                return Problems.TenantSuspended();
            default:
                await throttle.FailedAsync(account, address, cancellationToken);
                return Problems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "Sign-in refused.",
                    "The tenant, email or password is wrong, or the user is not active.");
        }
    }

    public static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(
        HttpContext context, SessionStore sessions, AccessTokens tokens, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadOptionalAsync<RefreshRequest>(context, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var fromCookie = request?.RefreshToken is null;
        var token = request?.RefreshToken ?? context.Request.Cookies[RefreshCookie];
        if (string.IsNullOrEmpty(token))
        {
            return Problems.Validation("refreshToken", "refreshToken is required (or the session cookie).");
        }

        if (!tokens.Configured)
        {
            return NotConfigured();
        }

        switch (await sessions.RefreshAsync(token, cancellationToken))
        {
            case SignIn.Succeeded succeeded:
                return TypedResults.Ok(Answer(context, tokens, succeeded.Session, fromCookie));
            case SignIn.Suspended:
                return Problems.TenantSuspended();
            default:
                context.Response.Cookies.Delete(RefreshCookie, CookieOptions(context, null));
                return Problems.InvalidToken();
        }
    }

    /// <summary>Ends the session of the refresh token given (or the cookie's, or the access token's). Always 204.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Logout(HttpContext context, SessionStore sessions, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadOptionalAsync<RefreshRequest>(context, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if ((request?.RefreshToken ?? context.Request.Cookies[RefreshCookie]) is { Length: > 0 } token)
        {
            await sessions.SignOutAsync(token, cancellationToken);
        }

        var authenticated = await context.AuthenticateAsync();
        if (authenticated.Succeeded && Guid.TryParse(authenticated.Principal!.FindFirst(AccessTokens.SessionClaim)?.Value, out var session))
        {
            await sessions.SignOutAsync(session, cancellationToken);
        }

        context.Response.Cookies.Delete(RefreshCookie, CookieOptions(context, null));
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> SetPassword(
        HttpContext context, UserStore users, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<SetPasswordRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        Require(request!.Token, "token", "token (from the set-password link) is required.", errors);
        if (Passwords.Problem(request.Password) is { } weak)
        {
            errors["password"] = [weak];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var actor = new AuditActor("set-password link", context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString());
        return await users.SetPasswordAsync(request.Token!, request.Password!, actor, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "This link is used or expired.",
                "Ask an ADMIN of the tenant for a new one.");
    }

    public static Ok<CallerView> Me(HttpContext context)
    {
        var caller = context.Caller();
        return TypedResults.Ok(caller.UserId is { } user
            ? new CallerView("user", user, caller.TenantId, caller.Name, caller.Role)
            : new CallerView("api_key", caller.KeyId!.Value, caller.TenantId, caller.Name, caller.Role));
    }

    private static TokenResponse Answer(HttpContext context, AccessTokens tokens, UserSession session, bool cookie)
    {
        var (access, expires) = tokens.Issue(session.User, session.SessionId);
        context.Response.Headers.CacheControl = "no-store";
        if (cookie)
        {
            context.Response.Cookies.Append(RefreshCookie, session.RefreshToken, CookieOptions(context, session.ExpiresAt));
        }

        return new TokenResponse(access, "Bearer", expires, cookie ? null : session.RefreshToken, session.ExpiresAt, session.User);
    }

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = CookiePath,
        Expires = expires,
    };

    private static async Task<(T? Value, ProblemHttpResult? Problem)> ReadOptionalAsync<T>(HttpContext context, CancellationToken cancellationToken)
        where T : class =>
        context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any()
            ? (null, null)
            : await JsonBody.ReadAsync<T>(context.Request, cancellationToken);

    private static void Require(string? value, string field, string message, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [message];
        }
    }

    private static ProblemHttpResult Throttled(HttpContext context, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, "Too many failed sign-ins.",
            $"Sign-in for this account or from this address is paused; try again in {seconds} s.");
    }

    private static ProblemHttpResult NotConfigured() =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.AuthNotConfigured, "Sign-in is not configured.",
            "Set Notifly__Auth__SigningKeys__0 (openssl rand -base64 32) on every node.");
}
