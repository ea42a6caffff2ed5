using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>
/// The problem answers operations share, as <c>components/responses</c>: one description,
/// example and set of headers per kind, referenced from every operation that can give it.
/// </summary>
internal static class ProblemResponses
{
    /// <summary>Which shared response a status means for an operation: a 400 for a body or a query, a 401 for a key or a signature.</summary>
    public static string Id(int status, bool readsBody, bool keyed, bool operatorApi = false) => status switch
    {
        StatusCodes.Status400BadRequest => readsBody ? "InvalidBody" : "InvalidQuery",
        StatusCodes.Status401Unauthorized => operatorApi ? "InvalidOperatorToken" : keyed ? "InvalidApiKey" : "InvalidSignature",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "NotFound",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "PayloadTooLarge",
        StatusCodes.Status415UnsupportedMediaType => "UnsupportedMediaType",
        StatusCodes.Status429TooManyRequests => "RateLimitExceeded",
        StatusCodes.Status500InternalServerError => "InternalError",
        StatusCodes.Status503ServiceUnavailable => "ServiceUnavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "no shared problem response for this status"),
    };

    /// <summary>A reference to the shared response, adding it to the document's components on first use.</summary>
    public static OpenApiResponseReference Reference(string id, OpenApiDocument document)
    {
        if (document.Components?.Responses?.ContainsKey(id) != true)
        {
            document.AddComponent<IOpenApiResponse>(id, Create(id, document));
        }

        return new OpenApiResponseReference(id, document);
    }

    private static OpenApiResponse Create(string id, OpenApiDocument document)
    {
        var (status, code, description, title, detail) = Describe(id);
        var example = new JsonObject
        {
            ["type"] = $"https://notifly.dev/problems/{code.ToLowerInvariant().Replace('_', '-')}",
            ["title"] = title,
            ["status"] = status,
            ["code"] = code,
        };
        if (detail is not null)
        {
            example["detail"] = detail;
        }

        switch (id)
        {
            case "InvalidBody":
                example["errors"] = new JsonObject { ["eventType"] = new JsonArray("eventType is required.") };
                break;
            case "InvalidQuery":
                example["errors"] = new JsonObject { ["limit"] = new JsonArray("limit must be 1–500.") };
                break;
            case "RateLimitExceeded":
                example["retryAfterSeconds"] = 12;
                break;
        }

        example["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
        return new OpenApiResponse
        {
            Description = description,
            Headers = Headers(status),
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                [ProblemSchema.MediaType] = new() { Schema = ProblemSchema.Reference(document), Example = example },
            },
        };
    }

    private static (int Status, string Code, string Description, string Title, string? Detail) Describe(string id) => id switch
    {
        "InvalidBody" => (StatusCodes.Status400BadRequest, "VALIDATION_FAILED",
            "The body is malformed or invalid: VALIDATION_FAILED, with `errors` naming each field at fault by JSON path "
                + "(CHANNEL_DISABLED when a requested channel is turned off, DESTINATION_NOT_ALLOWED for a webhook URL leading inside).",
            "The request is invalid.", "eventType is required."),
        "InvalidQuery" => (StatusCodes.Status400BadRequest, "VALIDATION_FAILED",
            "A query parameter is invalid: VALIDATION_FAILED, with `errors` naming each one.",
            "The request is invalid.", "limit must be 1–500."),
        "InvalidApiKey" => (StatusCodes.Status401Unauthorized, "INVALID_API_KEY",
            "No API key, or one that is unknown or revoked: INVALID_API_KEY; a user's access token that is invalid, "
                + "expired or of an ended session: INVALID_TOKEN.",
            "A valid API key is required.", "Send 'Authorization: Bearer nf_live_<prefix>.<secret>' with an active key."),
        "InvalidSignature" => (StatusCodes.Status401Unauthorized, "INVALID_SIGNATURE",
            "The provider's signature is missing, wrong or too old: INVALID_SIGNATURE.",
            "A valid X-Twilio-Signature is required.", "Twilio signs the URL Notifly:PublicBaseUrl names; check it matches the callback URL Twilio was given."),
        "InvalidOperatorToken" => (StatusCodes.Status401Unauthorized, "INVALID_OPERATOR_TOKEN",
            "No operator token, or not one of the deployment's `Notifly:Operator:Tokens`: INVALID_OPERATOR_TOKEN.",
            "An operator token is required.", "Send 'Authorization: Bearer <operator token>' with one of the deployment's Notifly:Operator:Tokens."),
        "Forbidden" => (StatusCodes.Status403Forbidden, "FORBIDDEN",
            "The caller's role may not do this (FORBIDDEN; README's 'Who may call what'), "
                + "or an operator suspended its tenant (TENANT_SUSPENDED).",
            "The caller's role may not do this.", "README's 'Who may call what' lists what each role (ADMIN, SERVICE, EDITOR, VIEWER) may call."),
        "NotFound" => (StatusCodes.Status404NotFound, "NOT_FOUND",
            "Nothing of that id in the caller's tenant (another tenant's resources are never visible): NOT_FOUND, "
                + "or TEMPLATE_NOT_FOUND for a template.",
            "Notification not found.", null),
        "Conflict" => (StatusCodes.Status409Conflict, "INVALID_STATE",
            "The resource's state does not allow this (INVALID_STATE), the idempotency key was used for a different "
                + "request (IDEMPOTENT_CONFLICT, with `requestId`), or the name is taken (CONFLICT).",
            "The resource is not in a state that allows this.", "A SENT notification cannot be cancelled."),
        "PayloadTooLarge" => (StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE",
            "The body is over the limit (256 KiB; 8 MiB for a batch, 1 MiB for SendGrid's events): PAYLOAD_TOO_LARGE.",
            "The request body is too large.", "Request body too large. The max request body size is 262144 bytes."),
        "UnsupportedMediaType" => (StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
            "The body is not sent as JSON: UNSUPPORTED_MEDIA_TYPE.",
            "The body must be JSON.", "Send 'Content-Type: application/json'."),
        "RateLimitExceeded" => (StatusCodes.Status429TooManyRequests, "RATE_LIMIT_EXCEEDED",
            "The tenant's rate limit is exceeded and nothing was stored: RATE_LIMIT_EXCEEDED. Retry after Retry-After seconds.",
            "The tenant's rate limit is exceeded.", "Nothing was stored. Retry after 12 s."),
        "InternalError" => (StatusCodes.Status500InternalServerError, "INTERNAL_ERROR",
            "An unexpected error: INTERNAL_ERROR. Quote the trace id when reporting it.",
            "Something went wrong on our side.", "Quote trace id 0HN8J1KQ3V5TR:00000001 when reporting this."),
        "ServiceUnavailable" => (StatusCodes.Status503ServiceUnavailable, "SERVICE_UNAVAILABLE",
            "The database is unreachable (SERVICE_UNAVAILABLE: retry after Retry-After), or the deployment lacks what this "
                + "needs (SECRETS_KEY_NOT_CONFIGURED).",
            "The database is unreachable.", "Nothing was stored. Retry after the delay in Retry-After."),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, "no such shared problem response"),
    };

    private static Dictionary<string, IOpenApiHeader>? Headers(int status) => status switch
    {
        StatusCodes.Status429TooManyRequests => new(StringComparer.Ordinal)
        {
            ["Retry-After"] = Header("Seconds to wait before retrying."),
            ["RateLimit-Limit"] = Header("The tenant's limit for the window."),
            ["RateLimit-Remaining"] = Header("Requests left in the window: 0."),
            ["RateLimit-Reset"] = Header("Seconds until requests are admitted again."),
        },
        StatusCodes.Status503ServiceUnavailable => new(StringComparer.Ordinal)
        {
            ["Retry-After"] = Header("Seconds to wait before retrying, when the database is unreachable."),
        },
        _ => null,
    };

    private static OpenApiHeader Header(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
}
