using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Tenants;

namespace Notifly.Api.Operator;

/// <summary>
/// <c>/api/operator</c>: the deployment's operators create, list, rename, suspend and resume
/// tenants. Guarded by an operator token (<see cref="OperatorOptions"/>), never by a tenant's key.
/// </summary>
public static partial class OperatorApi
{
    public static RouteGroupBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/operator/tenants").RequireAuthorization(OperatorAuthenticationHandler.Policy).WithTags("Operator");
        api.MapPost("", Create).WithName("CreateTenant").ReadsJsonBody<CreateTenantRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapGet("", List).WithName("ListTenants");
        api.MapGet("/{id:guid}", Get).WithName("GetTenant");
        api.MapPatch("/{id:guid}", Update).WithName("UpdateTenant").ReadsJsonBody<UpdateTenantRequest>().MayAnswer(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Created<CreatedTenant>, ProblemHttpResult>> Create(
        HttpContext context, TenantService tenants, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateTenantRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = CheckName(request!.Name, required: true, errors);
        if (request.Slug is null || !SlugPattern().IsMatch(request.Slug))
        {
            errors["slug"] = ["slug is required: 2–63 lowercase letters, digits and hyphens, starting and ending with a letter or digit."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        try
        {
            var (tenant, key) = await tenants.CreateAsync(name!, request.Slug!, Actor(context), cancellationToken);
            return TypedResults.Created($"/api/operator/tenants/{tenant.Id}", new CreatedTenant(tenant, key));
        }
        catch (DuplicateTenantException duplicate)
        {
            return Duplicate(duplicate);
        }
    }

    public static async Task<Results<Ok<Page<Tenant>>, ProblemHttpResult>> List(
        TenantService tenants, CancellationToken cancellationToken, string? status = null, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        var (pageSize, after) = ListQuery.Read(limit, cursor, PagedList.Tenants, errors);
        var wanted = status?.ToUpperInvariant();
        if (wanted is not (null or Tenant.Active or Tenant.Suspended))
        {
            errors["status"] = ["status must be ACTIVE or SUSPENDED."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return TypedResults.Ok(await tenants.ListAsync(pageSize, after, wanted, cancellationToken));
    }

    public static async Task<Results<Ok<Tenant>, ProblemHttpResult>> Get(Guid id, TenantService tenants, CancellationToken cancellationToken) =>
        await tenants.FindAsync(id, cancellationToken) is { } tenant ? TypedResults.Ok(tenant) : Problems.NotFound("Tenant");

    public static async Task<Results<Ok<Tenant>, ProblemHttpResult>> Update(
        Guid id, HttpContext context, TenantService tenants, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateTenantRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var name = CheckName(request!.Name, required: false, errors);
        var status = request.Status?.ToUpperInvariant();
        if (status is not (null or Tenant.Active or Tenant.Suspended))
        {
            errors["status"] = ["status must be ACTIVE (resume) or SUSPENDED."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        try
        {
            return await tenants.UpdateAsync(id, name, status, Actor(context), cancellationToken) is { } tenant
                ? TypedResults.Ok(tenant)
                : Problems.NotFound("Tenant");
        }
        catch (DuplicateTenantException duplicate)
        {
            return Duplicate(duplicate);
        }
    }

    private static string? CheckName(string? name, bool required, Dictionary<string, string[]> errors)
    {
        var trimmed = name?.Trim();
        if ((required || name is not null) && (string.IsNullOrEmpty(trimmed) || trimmed.Length > 100))
        {
            errors["name"] = ["name is required (1–100 characters)."];
        }

        return trimmed;
    }

    private static ProblemHttpResult Duplicate(DuplicateTenantException duplicate) =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, $"A tenant with this {duplicate.Field} exists.",
            $"Choose another {duplicate.Field}.");

    private static AuditActor Actor(HttpContext context) =>
        new(OperatorAuthenticationHandler.ActorName, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString());

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$")]
    private static partial Regex SlugPattern();
}
