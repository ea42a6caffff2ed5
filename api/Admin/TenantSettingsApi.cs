using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.RateLimits;

namespace Notifly.Api.Admin;

/// <summary>
/// <c>GET/PUT /api/admin/settings</c> (mapped by <see cref="AdminApi"/>, so ADMIN keys only): the
/// tenant's settings object. A PUT replaces each section it names (rateLimits, retryPolicies,
/// channelFallback) whole, keeps the others, and takes effect on every node at its next request
/// (docs/0006, docs/0008).
/// </summary>
public static class TenantSettingsApi
{
    public static async Task<Ok<TenantSettings>> Get(
        HttpContext context, Database database, TenantSettingsService settings, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await settings.GetAsync(scope, cancellationToken));
    }

    public static async Task<Results<Ok<TenantSettings>, ProblemHttpResult>> Put(
        HttpContext context, Database database, TenantSettingsService settings, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<TenantSettings>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = TenantSettingsValidator.Validate(request!);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var stored = await settings.PutAsync(scope, request!, AdminApi.Actor(context), cancellationToken);
        // The commit also tells every node (docs/0021). Should that fail, the answer is an error
        // although the change is stored: repeating the PUT is harmless and announces again.
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(stored);
    }
}
