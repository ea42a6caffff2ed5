using Microsoft.AspNetCore.Http;
using Notifly.Grains.Storage;

namespace Notifly.Api.Auth;

public static class TenantScopes
{
    /// <summary>A Row-Level-Security scope for the calling tenant, re-checking the caller's key or user.</summary>
    public static Task<TenantScope> BeginCallerScopeAsync(this Database database, HttpContext context, CancellationToken cancellationToken) =>
        database.BeginTenantScopeAsync(context.Caller().TenantId, context.Caller().KeyId, context.Caller().UserId, cancellationToken);
}
