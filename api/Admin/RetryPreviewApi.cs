using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.Policies;

namespace Notifly.Api.Admin;

/// <summary>
/// <c>GET /api/admin/settings/retry-policies/preview?eventType=…</c> (seed 000's "backoff
/// calculation preview"): the waits the policy an event type resolves to would give. With
/// maxAttempts, initialDelayMs, maxDelayMs and backoffMultiplier in the query it previews that
/// candidate instead, checked like a PUT, so a policy can be tried before it is saved.
/// </summary>
public static class RetryPreviewApi
{
    public static async Task<Results<Ok<RetryPreview>, ProblemHttpResult>> Preview(
        HttpContext context, Database database, PolicySettingsStore policies, string? eventType, int? maxAttempts, int? initialDelayMs,
        int? maxDelayMs, double? backoffMultiplier, CancellationToken cancellationToken)
    {
        RetryPolicySettings? candidate = null;
        if (maxAttempts is not null || initialDelayMs is not null || maxDelayMs is not null || backoffMultiplier is not null)
        {
            candidate = new RetryPolicySettings(maxAttempts, initialDelayMs, maxDelayMs, backoffMultiplier);
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            PolicySettingsValidator.Validate(
                new TenantSettings(null, new RetryPoliciesSettings(candidate, null)), errors);
            if (errors.Count > 0)
            {
                return Problems.Validation(errors.ToDictionary(e => e.Key.Replace("retryPolicies.default.", "", StringComparison.Ordinal), e => e.Value));
            }
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await policies.PreviewAsync(scope, eventType, candidate, cancellationToken));
    }
}
