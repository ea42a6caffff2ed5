using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Notifly.Grains.Users;

namespace Notifly.Api.Admin;

/// <summary>An invitation: the new user's email and role (ADMIN, EDITOR or VIEWER).</summary>
public sealed record InviteUserRequest(string? Email, string? Role);

/// <summary>A change to a user; fields left out stay as they are.</summary>
public sealed record UpdateUserRequest(string? Role, bool? Active);

/// <summary>
/// The invited user, and the one-time token of their set-password link (shown once): send them
/// <c>setPasswordPath</c> on the dashboard's address (the dashboard's page, which then signs them in
/// to the tenant it names), or the token for <c>POST /api/auth/set-password</c>.
/// </summary>
public sealed record UserInvitation(AdminUser User, string InvitationToken, string SetPasswordPath, DateTimeOffset ExpiresAt);

/// <summary><c>/api/admin/users</c>: the tenant's admin users (seed 000). ADMIN only.</summary>
public static class UsersApi
{
    private static readonly string[] UserRoles = [ApiPrincipal.AdminRole, ApiPrincipal.EditorRole, ApiPrincipal.ViewerRole];

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/users").RequireAuthorization(Policies.Admin).WithTags("Users");
        api.MapGet("/", List).WithName("ListUsers");
        api.MapPost("/", Invite).WithName("InviteUser").ReadsJsonBody<InviteUserRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapGet("/{id:guid}", Get).WithName("GetUser");
        api.MapPatch("/{id:guid}", Update).WithName("UpdateUser").ReadsJsonBody<UpdateUserRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteUser").MayAnswer(StatusCodes.Status409Conflict);
        api.MapPost("/{id:guid}/invitation", Reinvite).WithName("ReinviteUser");
        return api;
    }

    public static async Task<Ok<IReadOnlyList<AdminUser>>> List(HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await users.ListAsync(scope, cancellationToken));
    }

    public static async Task<Results<Ok<AdminUser>, ProblemHttpResult>> Get(
        Guid id, HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return await users.FindAsync(scope, id, cancellationToken) is { } user ? TypedResults.Ok(user) : Problems.NotFound("User");
    }

    public static async Task<Results<Created<UserInvitation>, ProblemHttpResult>> Invite(
        HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<InviteUserRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var email = request!.Email?.Trim();
        if (email is null || email.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            errors["email"] = ["email must be one address (name@example.com)."];
        }

        var role = request.Role?.ToUpperInvariant();
        if (role is null || !UserRoles.Contains(role))
        {
            errors["role"] = ["role must be ADMIN, EDITOR or VIEWER."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        try
        {
            var invited = await users.InviteAsync(scope, email!, role!, Actor(context), cancellationToken);
            await scope.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/admin/users/{invited.User.Id}", Invitation(invited));
        }
        catch (DuplicateUserException)
        {
            return Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "A user with this email exists.",
                "Each email is one user per tenant; change that user's role instead.");
        }
    }

    public static async Task<Results<Ok<AdminUser>, ProblemHttpResult>> Update(
        Guid id, HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateUserRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var role = request!.Role?.ToUpperInvariant();
        if (role is not null && !UserRoles.Contains(role))
        {
            return Problems.Validation("role", "role must be ADMIN, EDITOR or VIEWER.");
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        try
        {
            var user = await users.UpdateAsync(scope, id, role, request.Active, Actor(context), cancellationToken);
            if (user is null)
            {
                return Problems.NotFound("User");
            }

            await scope.CommitAsync(cancellationToken);
            return TypedResults.Ok(user);
        }
        catch (LastAdminException)
        {
            return LastAdmin();
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        try
        {
            if (!await users.DeleteAsync(scope, id, Actor(context), cancellationToken))
            {
                return Problems.NotFound("User");
            }

            await scope.CommitAsync(cancellationToken);
            return TypedResults.NoContent();
        }
        catch (LastAdminException)
        {
            return LastAdmin();
        }
    }

    public static async Task<Results<Ok<UserInvitation>, ProblemHttpResult>> Reinvite(
        Guid id, HttpContext context, Database database, UserStore users, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await users.ReinviteAsync(scope, id, Actor(context), cancellationToken) is not { } invited)
        {
            return Problems.NotFound("User");
        }

        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(Invitation(invited));
    }

    private static UserInvitation Invitation(InvitedUser invited) =>
        new(invited.User, invited.InvitationToken, $"/set-password?tenant={Uri.EscapeDataString(invited.TenantSlug)}&token={invited.InvitationToken}", invited.InvitationExpiresAt);

    private static ProblemHttpResult LastAdmin() =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.InvalidState, "This is the tenant's last active ADMIN user.",
            "Make another user an active ADMIN first.");

    private static AuditActor Actor(HttpContext context) =>
        new(context.Caller().Actor, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString());
}
