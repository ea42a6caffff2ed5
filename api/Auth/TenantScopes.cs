using Microsoft.AspNetCore.Http;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Api.Auth;

public static class TenantScopes
{
    /// <summary>A Row-Level-Security scope for the calling tenant, re-checking the caller's key or user.</summary>
    public static Task<TenantScope> BeginCallerScopeAsync(this Database database, HttpContext context, CancellationToken cancellationToken) =>
        database.BeginTenantScopeAsync(context.Caller().TenantId, context.Caller().KeyId, context.Caller().UserId, cancellationToken, context.Client());

    /// <summary>The request's address and user agent, for the audit rows written on its behalf.</summary>
    public static ClientInfo Client(this HttpContext context) =>
        new(context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null);

    /// <summary>The caller as a notification grain's turn needs it: tenant, key or user, and who to audit.</summary>
    public static NotificationCaller NotificationCaller(this HttpContext context) =>
        new(context.Caller().TenantId, context.Caller().KeyId, context.Caller().UserId, context.Caller().Actor,
            context.Client().IpAddress, context.Client().UserAgent);
}
