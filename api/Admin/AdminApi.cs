using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Api.Admin;

/// <summary><c>/api/admin</c>: API keys, the dead-letter queue, tenant secrets and settings, each by its policy (<see cref="Policies"/>).</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(Policies.Inspect).WithTags("Admin");
        admin.MapGet("/api-keys", ListKeys).WithName("ListApiKeys").RequireAuthorization(Policies.Admin);
        admin.MapPost("/api-keys", CreateKey).WithName("CreateApiKey").RequireAuthorization(Policies.Admin).ReadsJsonBody<CreateApiKeyRequest>();
        admin.MapDelete("/api-keys/{keyId:guid}", RevokeKey).WithName("RevokeApiKey").RequireAuthorization(Policies.Admin);
        admin.MapGet("/dlq", ListDeadLetters).WithName("ListDeadLetters");
        admin.MapPost("/dlq/{id:guid}/retry", RetryDeadLetter).WithName("RetryDeadLetter").RequireAuthorization(Policies.Edit).MayAnswer(StatusCodes.Status409Conflict);
        admin.MapDelete("/dlq/{id:guid}", DeleteDeadLetter).WithName("DeleteDeadLetter").RequireAuthorization(Policies.Edit);
        admin.MapGet("/settings/webhook-secret", WebhookSecret).WithName("GetWebhookSigningSecret").RequireAuthorization(Policies.Admin);
        admin.MapGet("/settings", TenantSettingsApi.Get).WithName("GetTenantSettings");
        admin.MapPut("/settings", TenantSettingsApi.Put).WithName("PutTenantSettings").RequireAuthorization(Policies.Admin).ReadsJsonBody<TenantSettings>();
        admin.MapGet("/settings/retry-policies/preview", RetryPreviewApi.Preview).WithName("PreviewRetryPolicy");
        admin.MapGet("/audit-logs", ListAuditLogs).WithName("ListAuditLogs").RequireAuthorization(Policies.Admin);
        admin.MapGet("/metrics", DashboardMetricsApi.Get).WithName("GetDashboardMetrics");
        admin.MapGet("/system", SystemStatusApi.Get).WithName("GetSystemStatus");
        admin.MapGet("/stream", StatusStreamApi.Stream).WithName("StreamStatusChanges").Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        admin.MapGet("/logs", DeliveryLogsApi.List).WithName("ListDeliveryLogs")
            .Produces<Page<DeliveryLogEntry>>(StatusCodes.Status200OK, "application/json", "text/csv");
        return admin;
    }

    public static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> ListKeys(
        HttpContext context, Database database, ApiKeyService apiKeys, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await apiKeys.ListAsync(scope, cancellationToken));
    }

    public static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateKey(
        HttpContext context, Database database, ApiKeyService apiKeys, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateApiKeyRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var role = (request!.Role ?? ApiPrincipal.ServiceRole).ToUpperInvariant();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            return Problems.Validation("name", "name is required (1–100 characters).");
        }

        if (role is not (ApiPrincipal.AdminRole or ApiPrincipal.ServiceRole))
        {
            return Problems.Validation("role", "role must be ADMIN or SERVICE.");
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var created = await apiKeys.CreateAsync(scope, request.Name.Trim(), role, Actor(context), cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/admin/api-keys/{created.Key.Id}", created);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        Guid keyId, HttpContext context, Database database, ApiKeyService apiKeys, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (!await apiKeys.RevokeAsync(scope, keyId, Actor(context), cancellationToken))
        {
            return Problems.NotFound("API key");
        }

        await scope.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<Page<DeadLetterView>>, ProblemHttpResult>> ListDeadLetters(
        HttpContext context, Database database, CancellationToken cancellationToken, int? limit = null, string? cursor = null,
        Guid? requestId = null)
    {
        var errors = new Dictionary<string, string[]>();
        var (pageSize, after) = ListQuery.Read(limit, cursor, PagedList.DeadLetters, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await DeadLetterQueries.ListAsync(scope, pageSize, after, cancellationToken, requestId));
    }

    public static async Task<Results<Accepted<NotificationAccepted>, ProblemHttpResult>> RetryDeadLetter(
        Guid id, HttpContext context, Database database, IGrainFactory grains, CancellationToken cancellationToken)
    {
        (Guid NotificationId, Channel Channel)? found;
        await using (var scope = await database.BeginCallerScopeAsync(context, cancellationToken))
        {
            found = await DeadLetterQueries.FindOpenAsync(scope, id, cancellationToken);
        }

        if (found is not { } entry)
        {
            return Problems.NotFound("Dead-letter entry");
        }

        // The grain locks the entry again and runs the turn: a retry or delete that won the race
        // meanwhile leaves it not found or not dead-lettered.
        var caller = context.NotificationCaller();
        var outcome = await grains.GetGrain<INotificationGrain>(entry.NotificationId).RetryDeadLetter(caller, id, cancellationToken);
        if (!outcome.Found)
        {
            return Problems.NotFound("Dead-letter entry");
        }

        if (outcome.Rejection is not null)
        {
            return Problems.InvalidState($"The {entry.Channel.Name()} delivery is no longer dead-lettered.");
        }

        return TypedResults.Accepted($"/api/notifications/{entry.NotificationId}",
            new NotificationAccepted(entry.NotificationId, outcome.Status, Guid.Empty));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteDeadLetter(
        Guid id, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await DeadLetterQueries.LockOpenAsync(scope, id, cancellationToken) is null)
        {
            return Problems.NotFound("Dead-letter entry");
        }

        await DeadLetterQueries.DeleteAsync(scope, id, cancellationToken);
        await AuditLog.RecordAsync(scope, Actor(context), "dead_letter.deleted", "dead_letter", id.ToString(), null, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The tenant's audit log, newest first: filter by action, resource, actor and time; page with the cursor.</summary>
    public static async Task<Results<Ok<Page<AuditLogEntry>>, ProblemHttpResult>> ListAuditLogs(
        HttpContext context, Database database, CancellationToken cancellationToken, string? action = null, string? resourceType = null,
        string? resourceId = null, string? actor = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int? limit = null,
        string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > ListQuery.MaxLimit)
        {
            errors["limit"] = [$"limit must be a whole number 1–{ListQuery.MaxLimit}."];
        }

        long? before = null;
        if (cursor is not null)
        {
            if (AuditLogQueries.TryParseCursor(cursor, out var id))
            {
                before = id;
            }
            else
            {
                errors["cursor"] = ["cursor is not one this list returned; pass its nextCursor back unchanged."];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var filter = new AuditLogFilter(action, resourceType, resourceId, actor, from, to);
        return TypedResults.Ok(await AuditLogQueries.ListAsync(scope, filter, limit ?? ListQuery.DefaultLimit, before, cancellationToken));
    }

    public static async Task<Ok<WebhookSecretResponse>> WebhookSecret(HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(new WebhookSecretResponse(await TenantService.GetWebhookSecretAsync(scope, cancellationToken)));
    }

    internal static string Actor(HttpContext context) => context.Caller().Actor;
}
