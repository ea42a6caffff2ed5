using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.Grains.Providers;
using Notifly.Grains.Security;
using Notifly.Grains.Storage;
using Polly.CircuitBreaker;

namespace Notifly.Api.Providers;

/// <summary>
/// <c>/api/admin/providers</c>: a tenant's own providers per channel, tried in priority order
/// (docs/0015). ADMIN keys only. Credentials go in, never come out: responses name the sealed
/// fields, and the audit log records which were replaced.
/// </summary>
public static partial class ProvidersApi
{
    public static RouteGroupBuilder MapProvidersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/providers").RequireAuthorization(Policies.Admin).WithTags("Providers");
        api.MapGet("/", List).WithName("ListProviders");
        api.MapPost("/", Create).WithName("CreateProvider").ReadsJsonBody<ProviderRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapGet("/{id:guid}", Get).WithName("GetProvider");
        api.MapPut("/{id:guid}", Replace).WithName("ReplaceProvider").ReadsJsonBody<ProviderRequest>().MayAnswer(StatusCodes.Status409Conflict);
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteProvider");
        return api;
    }

    public static async Task<Ok<ProviderResponse[]>> List(
        HttpContext context, Database database, ProviderRegistry registry, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var providers = await ProviderStore.ListAsync(scope, cancellationToken);
        return TypedResults.Ok(providers.Select(p => Response(p, registry)).ToArray());
    }

    public static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> Get(
        Guid id, HttpContext context, Database database, ProviderRegistry registry, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return await ProviderStore.GetAsync(scope, id, cancellationToken) is { } provider
            ? TypedResults.Ok(Response(provider, registry))
            : Problems.NotFound("Provider");
    }

    public static async Task<Results<Created<ProviderResponse>, ProblemHttpResult>> Create(
        HttpContext context, Database database, ProviderRegistry registry, ProviderStore store, SecretBox box,
        IOptions<ProvidersOptions> limits, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ProviderRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (draft, invalid) = Validate(request!, request!.Credentials ?? [], registry, limits.Value, box);
        if (invalid is not null)
        {
            return invalid;
        }

        var id = Guid.CreateVersion7();
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (!await store.CreateAsync(scope, id, draft!, Actor(context), time.GetUtcNow(), cancellationToken))
        {
            return NameTaken(draft!.Name);
        }

        var created = await ProviderStore.GetAsync(scope, id, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/admin/providers/{id}", Response(created!, registry));
    }

    public static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> Replace(
        Guid id, HttpContext context, Database database, ProviderRegistry registry, ProviderStore store, SecretBox box,
        IOptions<ProvidersOptions> limits, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ProviderRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (await ProviderStore.GetAsync(scope, id, cancellationToken) is null)
        {
            return Problems.NotFound("Provider");
        }

        // Credentials left out are kept: validate the new settings against the stored ones.
        var credentials = request!.Credentials ?? await store.CredentialsAsync(scope, id, cancellationToken) ?? [];
        var (draft, invalid) = Validate(request, credentials, registry, limits.Value, box);
        if (invalid is not null)
        {
            return invalid;
        }

        var updated = await store.UpdateAsync(scope, id, draft! with { Credentials = request.Credentials }, Actor(context), time.GetUtcNow(), cancellationToken);
        if (updated == false)
        {
            return NameTaken(draft!.Name);
        }

        var provider = await ProviderStore.GetAsync(scope, id, cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(Response(provider!, registry));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, HttpContext context, Database database, ProviderStore store, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (!await store.DeleteAsync(scope, id, Actor(context), cancellationToken))
        {
            return Problems.NotFound("Provider");
        }

        await scope.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static (ProviderDraft? Draft, ProblemHttpResult? Problem) Validate(
        ProviderRequest request, JsonObject credentials, ProviderRegistry registry, ProvidersOptions limits, SecretBox box)
    {
        var errors = new Dictionary<string, string[]>();
        void Error(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            Error("name", "name is required: 1-100 letters, digits, spaces, '.', '_' or '-'.");
        }

        var kind = request.Kind is null ? null : registry.Kind(request.Kind);
        if (kind is null)
        {
            Error("kind", $"kind must be one of: {string.Join(", ", registry.Kinds.Select(k => k.Name).Order(StringComparer.Ordinal))}.");
        }

        if (request.Priority is < 0 or > 10_000)
        {
            Error("priority", "priority must be between 0 and 10000 (lowest is tried first).");
        }

        var settings = request.Settings ?? [];
        if (kind is not null)
        {
            var ceiling = limits.For(kind.Name).MaxConcurrency ?? 10_000;
            if (request.MaxConcurrency is { } max && (max < 1 || max > ceiling))
            {
                Error("maxConcurrency", $"maxConcurrency must be between 1 and {ceiling}, this deployment's limit for {kind.Name}.");
            }

            foreach (var (field, _) in settings)
            {
                if (kind.SecretFields.Contains(field)) Error($"settings.{field}", $"{field} is a secret: send it under credentials.");
                if (kind.ForbiddenFields.Contains(field)) Error($"settings.{field}", $"{field} cannot be set for a tenant's provider.");
            }

            foreach (var (field, _) in credentials)
            {
                if (!kind.SecretFields.Contains(field)) Error($"credentials.{field}", $"{field} is not a credential of {kind.Name}; send it under settings.");
            }

            if (errors.Count == 0)
            {
                foreach (var error in kind.Validate(ProviderStore.Merge(settings, credentials)))
                {
                    Error(error.Field, error.Message);
                }
            }
        }

        if (errors.Count > 0)
        {
            return (null, Problems.Validation(errors));
        }

        if (credentials.Count > 0 && !box.IsConfigured)
        {
            return (null, Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.SecretsKeyNotConfigured,
                "This deployment cannot store credentials.",
                "The operator has not configured an encryption key (Notifly:Secrets:Keys and :ActiveKey)."));
        }

        return (new ProviderDraft(name!, kind!.Name, kind.Channel, request.Priority ?? 100, request.Active ?? true,
            settings, credentials, request.MaxConcurrency), null);
    }

    private static ProviderResponse Response(ProviderView p, ProviderRegistry registry) =>
        new(p.Id, p.Name, p.Kind, p.Channel.Name(), p.Priority, p.Active, p.Settings, p.Credentials, p.MaxConcurrency,
            registry.CircuitOf(p.Id) switch
            {
                CircuitState.Open or CircuitState.Isolated => "open",
                CircuitState.HalfOpen => "half-open",
                _ => "closed",
            },
            p.CreatedAt, p.UpdatedAt);

    private static ProblemHttpResult NameTaken(string name) =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.Conflict, "A provider of that name exists.",
            $"This tenant already has a provider named '{name}'.");

    private static string Actor(HttpContext context) => context.Caller().Actor;

    [GeneratedRegex(@"^[A-Za-z0-9 ._-]{1,100}$")]
    private static partial Regex NamePattern();
}
