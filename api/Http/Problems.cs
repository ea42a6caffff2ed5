using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Notifly.Api.Http;

/// <summary>RFC 9457 problem details carrying seed 000's error codes.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypeFor(code),
            Title = title,
            Detail = detail,
        };
        problem.Extensions["code"] = code;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        return TypedResults.Problem(problem);
    }

    public static string TypeFor(string code) => $"https://notifly.dev/problems/{code.ToLowerInvariant().Replace('_', '-')}";

    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors, string code = ErrorCodes.ValidationFailed) =>
        Create(StatusCodes.Status400BadRequest, code,
            code == ErrorCodes.ChannelDisabled ? "A requested channel is disabled." : "The request is invalid.",
            string.Join(" ", errors.SelectMany(e => e.Value)),
            new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"{what} not found.");

    public static ProblemHttpResult InvalidState(string detail) =>
        Create(StatusCodes.Status409Conflict, ErrorCodes.InvalidState, "The resource is not in a state that allows this.", detail);

    public static ProblemHttpResult Conflict(Guid existing) =>
        Create(StatusCodes.Status409Conflict, ErrorCodes.IdempotentConflict,
            "The idempotency key was already used with a different request.",
            "Reuse an idempotency key only to retry the identical request.",
            new Dictionary<string, object?> { ["requestId"] = existing });

    public static ProblemHttpResult Forbidden() =>
        Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The caller's role may not do this.",
            "README's 'Who may call what' lists what each role (ADMIN, SERVICE, EDITOR, VIEWER) may call.");

    public static ProblemHttpResult InvalidToken() =>
        Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidToken, "A valid access token is required.",
            "The access token is invalid or expired, or its session ended: refresh it (POST /api/auth/refresh) or sign in again.");

    public static ProblemHttpResult TenantSuspended() =>
        Create(StatusCodes.Status403Forbidden, ErrorCodes.TenantSuspended, "This tenant is suspended.",
            "An operator suspended this tenant: its keys and users are refused until it is resumed.");

    public static ProblemHttpResult InvalidApiKey() =>
        Create(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidApiKey, "A valid API key is required.",
            "Send 'Authorization: Bearer nf_live_<prefix>.<secret>' with an active key, or a signed-in user's access token.");
}
