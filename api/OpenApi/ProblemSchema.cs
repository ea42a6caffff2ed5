using System.Reflection;
using Microsoft.OpenApi;
using Notifly.Api.Http;

namespace Notifly.Api.OpenApi;

/// <summary>The <c>Problem</c> component: what <see cref="Problems"/> writes for every non-2xx answer.</summary>
internal static class ProblemSchema
{
    public const string Id = "Problem";

    public const string MediaType = "application/problem+json";

    /// <summary>A reference to the component, adding it to the document on first use.</summary>
    public static OpenApiSchemaReference Reference(OpenApiDocument document)
    {
        if (document.Components?.Schemas?.ContainsKey(Id) != true)
        {
            document.AddComponent<IOpenApiSchema>(Id, Create());
        }

        return new OpenApiSchemaReference(Id, document);
    }

    private static OpenApiSchema Create() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem detail with Notifly's error code. Members other than these may appear (RFC 9457 extensions).",
        Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["type"] = Text("A URI naming the kind of problem, e.g. https://notifly.dev/problems/validation-failed.", "uri-reference"),
            ["title"] = Text("A short summary of the kind of problem."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
            ["detail"] = Text("What went wrong with this request, for a person to read."),
            ["instance"] = Text("A URI for this occurrence.", "uri-reference"),
            ["code"] = Text($"The error code to act on: {string.Join(", ", Codes())}."),
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "For VALIDATION_FAILED (and CHANNEL_DISABLED, DESTINATION_NOT_ALLOWED): each field at fault, "
                    + "by JSON path, and what is wrong with it.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["traceId"] = Text("The W3C trace id of the request; quote it when reporting a problem."),
            ["retryAfterSeconds"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer, Format = "int64", Description = "For RATE_LIMIT_EXCEEDED: the seconds to wait, as Retry-After says.",
            },
            ["requestId"] = Text("For IDEMPOTENT_CONFLICT: the request that first used the idempotency key.", "uuid"),
        },
    };

    private static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    /// <summary>Read from <see cref="ErrorCodes"/> so that a new code is documented when it is added.</summary>
    private static IEnumerable<string> Codes() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);
}
