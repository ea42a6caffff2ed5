using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Recipients;
using Notifly.Grains.Recipients;
using Notifly.Grains.Storage;

namespace Notifly.Api.Recipients;

/// <summary>
/// <c>/api/recipients/{userId}</c>: the tenant's recipient profiles and their preferences. Any key
/// of the tenant may manage them (SERVICE or ADMIN): the services that send are the ones that
/// know their users (docs/0009). Row Level Security makes another tenant's user a 404.
/// </summary>
public static class RecipientsApi
{
    public static RouteGroupBuilder MapRecipientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/recipients").RequireAuthorization(Policies.Read).WithTags("Recipients");
        api.MapGet("/", List).WithName("ListRecipients");
        api.MapPut("/{userId}", Put).WithName("PutRecipient").RequireAuthorization(Policies.Send).ReadsJsonBody<RecipientProfile>();
        api.MapGet("/{userId}", Get).WithName("GetRecipient");
        api.MapDelete("/{userId}", Delete).WithName("DeleteRecipient").RequireAuthorization(Policies.Send);
        api.MapGet("/{userId}/preferences", GetPreferences).WithName("GetRecipientPreferences");
        api.MapPut("/{userId}/preferences", PutPreferences).WithName("PutRecipientPreferences").RequireAuthorization(Policies.Send).ReadsJsonBody<RecipientPreferences>();
        return api;
    }

    /// <summary>
    /// The tenant's profiles in user-id order. The cursor is the last user id of the page before:
    /// any user id is a valid place to start from, so it needs no sealing.
    /// </summary>
    public static async Task<Results<Ok<Page<RecipientProfile>>, ProblemHttpResult>> List(
        HttpContext context, Database database, CancellationToken cancellationToken, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > ListQuery.MaxLimit)
        {
            errors["limit"] = [$"limit must be a whole number 1–{ListQuery.MaxLimit}."];
        }

        if (cursor is not null && RecipientValidator.ValidateUserId(cursor).Count > 0)
        {
            errors["cursor"] = ["cursor is not one this list returned; pass its nextCursor back unchanged."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await RecipientStore.ListAsync(scope, cursor, limit ?? ListQuery.DefaultLimit, cancellationToken));
    }

    public static async Task<Results<Ok<RecipientProfile>, Created<RecipientProfile>, ProblemHttpResult>> Put(
        string userId, HttpContext context, Database database, RecipientStore store, CancellationToken cancellationToken)
    {
        var (profile, problem) = await JsonBody.ReadAsync<RecipientProfile>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (RecipientValidator.Validate(userId, profile!) is { Count: > 0 } errors)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var created = await store.PutAsync(scope, userId, profile!, Actor(context), cancellationToken);
        var stored = (await RecipientStore.GetAsync(scope, userId, cancellationToken))!;
        await scope.CommitAsync(cancellationToken);
        return created ? TypedResults.Created($"/api/recipients/{Uri.EscapeDataString(userId)}", stored) : TypedResults.Ok(stored);
    }

    public static async Task<Results<Ok<RecipientProfile>, ProblemHttpResult>> Get(
        string userId, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var profile = await RecipientStore.GetAsync(scope, userId, cancellationToken);
        return profile is null ? Problems.NotFound("Recipient") : TypedResults.Ok(profile);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string userId, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        if (!await RecipientStore.DeleteAsync(scope, userId, Actor(context), cancellationToken))
        {
            return Problems.NotFound("Recipient");
        }

        await scope.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<RecipientPreferences>, ProblemHttpResult>> GetPreferences(
        string userId, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var profile = await RecipientStore.GetAsync(scope, userId, cancellationToken);
        return profile is null ? Problems.NotFound("Recipient") : TypedResults.Ok(profile.Preferences!);
    }

    /// <summary>
    /// Replaces the user's preferences. A user needs no profile to have preferences: a service that
    /// always sends explicit addresses can still record an opt-out for its userId.
    /// </summary>
    public static async Task<Results<Ok<RecipientPreferences>, ProblemHttpResult>> PutPreferences(
        string userId, HttpContext context, Database database, RecipientStore store, CancellationToken cancellationToken)
    {
        var (preferences, problem) = await JsonBody.ReadAsync<RecipientPreferences>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = RecipientValidator.ValidateUserId(userId);
        foreach (var (field, messages) in RecipientValidator.Validate(preferences!)) errors[field] = messages;
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var stored = await store.PutPreferencesAsync(scope, userId, preferences!, Actor(context), cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(stored);
    }

    private static string Actor(HttpContext context) => context.Caller().Actor;
}
