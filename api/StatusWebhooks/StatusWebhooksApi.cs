using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Security;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Api.StatusWebhooks;

/// <summary>
/// <c>/api/webhooks</c>: a tenant's status-webhook endpoints (docs/0017). ADMIN keys only; every
/// call runs in the caller's tenant scope, so another tenant's endpoint is simply not found.
/// Signing secrets appear only in what create and rotate-secret return.
/// </summary>
public static class StatusWebhooksApi
{
    public static RouteGroupBuilder MapStatusWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/webhooks").RequireAuthorization(Policies.Admin).WithTags("Status webhooks");
        api.MapPost("/", Create).WithName("CreateWebhookEndpoint").ReadsJsonBody<WebhookEndpointRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapGet("/", List).WithName("ListWebhookEndpoints");
        api.MapGet("/{id:guid}", Get).WithName("GetWebhookEndpoint");
        api.MapGet("/deliveries", StatusWebhookDeliveriesApi.ForNotification).WithName("ListNotificationWebhookDeliveries");
        api.MapPut("/{id:guid}", Update).WithName("UpdateWebhookEndpoint").ReadsJsonBody<WebhookEndpointRequest>();
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteWebhookEndpoint");
        api.MapPost("/{id:guid}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret");
        api.MapPost("/{id:guid}/enable", Enable).WithName("EnableWebhookEndpoint");
        api.MapPost("/{id:guid}/test", StatusWebhookDeliveriesApi.Test).WithName("TestWebhookEndpoint").MayAnswer(StatusCodes.Status409Conflict);
        api.MapGet("/{id:guid}/deliveries", StatusWebhookDeliveriesApi.List).WithName("ListWebhookDeliveries");
        api.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/redeliver", StatusWebhookDeliveriesApi.Redeliver).WithName("RedeliverWebhook")
            .MayAnswer(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Created<WebhookEndpointCreated>, ProblemHttpResult>> Create(
        HttpContext context, Database database, WebhookEndpointStore store, WebhookDestinations destinations, SecretBox box,
        StatusWebhookPresence presence, IOptions<StatusWebhookOptions> options, CancellationToken cancellationToken)
    {
        var (endpoint, problem) = await ReadAsync(context, destinations, options.Value, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!box.IsConfigured)
        {
            return StatusWebhookProblems.SecretsKeyNotConfigured();
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await WebhookEndpointStore.CountAsync(scope, cancellationToken) >= options.Value.MaxEndpointsPerTenant)
        {
            return Problems.InvalidState($"A tenant may have at most {options.Value.MaxEndpointsPerTenant} webhook endpoints.");
        }

        var created = await store.CreateAsync(scope, endpoint!, cancellationToken);
        await AuditAsync(scope, context, "webhook.created", created.Endpoint.Id, Described(endpoint!), cancellationToken);
        await scope.CommitAsync(cancellationToken);
        presence.Changed();
        return TypedResults.Created($"/api/webhooks/{created.Endpoint.Id}", created);
    }

    public static async Task<Ok<IReadOnlyList<WebhookEndpointView>>> List(
        HttpContext context, Database database, WebhookEndpointStore store, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await store.ListAsync(scope, cancellationToken));
    }

    public static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Get(
        Guid id, HttpContext context, Database database, WebhookEndpointStore store, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return await store.GetAsync(scope, id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound();
    }

    public static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Update(
        Guid id, HttpContext context, Database database, WebhookEndpointStore store, WebhookDestinations destinations,
        IOptions<StatusWebhookOptions> options, CancellationToken cancellationToken)
    {
        var (endpoint, problem) = await ReadAsync(context, destinations, options.Value, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await store.UpdateAsync(scope, id, endpoint!, cancellationToken) is not { } view)
        {
            return NotFound();
        }

        await AuditAsync(scope, context, "webhook.updated", id, Described(endpoint!), cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext context, Database database, StatusWebhookPresence presence, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (!await WebhookEndpointStore.DeleteAsync(scope, id, cancellationToken))
        {
            return NotFound();
        }

        await AuditAsync(scope, context, "webhook.deleted", id, null, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        presence.Changed();
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<WebhookSecretRotated>, ProblemHttpResult>> RotateSecret(
        Guid id, HttpContext context, Database database, WebhookEndpointStore store, SecretBox box,
        IOptions<StatusWebhookOptions> options, CancellationToken cancellationToken)
    {
        if (!box.IsConfigured)
        {
            return StatusWebhookProblems.SecretsKeyNotConfigured();
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await store.RotateSecretAsync(scope, id, options.Value.SecretRotationOverlap, cancellationToken) is not { } rotated)
        {
            return NotFound();
        }

        await AuditAsync(scope, context, "webhook.secret_rotated", id, null, cancellationToken); // never the secret
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(rotated);
    }

    public static async Task<Results<Ok<WebhookEndpointView>, ProblemHttpResult>> Enable(
        Guid id, HttpContext context, Database database, WebhookEndpointStore store, StatusWebhookPresence presence,
        CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await store.EnableAsync(scope, id, cancellationToken) is not { } view)
        {
            return NotFound();
        }

        await AuditAsync(scope, context, "webhook.enabled", id, null, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        presence.Changed();
        return TypedResults.Ok(view);
    }

    internal static ProblemHttpResult NotFound() => Problems.NotFound("Webhook endpoint");

    private static Task AuditAsync(TenantScope scope, HttpContext context, string action, Guid id, object? changes, CancellationToken cancellationToken) =>
        AuditLog.RecordAsync(scope, context.Caller().Actor, action, "webhook_endpoint", id.ToString(), changes, cancellationToken);

    /// <summary>What an audit row says of an endpoint: its headers by name only, as they may carry credentials.</summary>
    private static object Described(ValidEndpoint endpoint) => new
    {
        url = endpoint.Url.ToString(),
        endpoint.Events,
        endpoint.Description,
        headers = endpoint.Headers.Keys.Order(StringComparer.Ordinal).ToArray(),
        endpoint.TimeoutSeconds,
    };

    /// <summary>The body, checked field by field and then for where its URL leads.</summary>
    private static async Task<(ValidEndpoint? Endpoint, ProblemHttpResult? Problem)> ReadAsync(
        HttpContext context, WebhookDestinations destinations, StatusWebhookOptions options, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<WebhookEndpointRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var (endpoint, errors) = EndpointRules.Validate(request!, options.DefaultTimeoutSeconds);
        if (endpoint is null)
        {
            return (null, Problems.Validation(errors));
        }

        return await destinations.CheckAsync(endpoint.Url, cancellationToken) switch
        {
            DestinationVerdict.Allowed => (endpoint, null),
            DestinationVerdict.NotAllowed => (null, StatusWebhookProblems.DestinationNotAllowed(endpoint.Url.Host)),
            DestinationVerdict.Unresolvable => (null, Problems.Validation("url", $"the host '{endpoint.Url.Host}' does not resolve.")),
            _ => (null, Problems.Validation("url", "url must use https (plain http only reaches networks the operator allowed).")),
        };
    }
}
