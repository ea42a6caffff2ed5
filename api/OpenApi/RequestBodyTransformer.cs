using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>Describes the JSON body a handler reads itself, as <see cref="JsonRequestBodyMetadata"/> declares it.</summary>
internal sealed class RequestBodyTransformer : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonRequestBodyMetadata>().LastOrDefault() is not { } body)
        {
            return;
        }

        var schema = await SchemaAsync(body.Type, context, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/json"] = new() { Schema = schema },
            },
        };
    }

    /// <summary>
    /// The body's schema as a named component, as the framework names the types it finds itself,
    /// so that a generated client gets a SendNotificationRequest rather than an anonymous shape.
    /// </summary>
    private static async Task<IOpenApiSchema> SchemaAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, cancellationToken: cancellationToken);
        if (context.Document is not { } document)
        {
            return schema;
        }

        if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
        {
            document.AddComponent<IOpenApiSchema>(type.Name, schema);
        }

        return new OpenApiSchemaReference(type.Name, document);
    }
}
