using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>Puts the example of each body's and answer's type on the operation, where /docs shows it.</summary>
internal sealed class ExamplesTransformer : IOpenApiOperationTransformer
{
    private const string Json = "application/json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonRequestBodyMetadata>().LastOrDefault() is { } body
            && RequestExamples.ByType.TryGetValue(body.Type, out var request)
            && operation.RequestBody?.Content?.TryGetValue(Json, out var requestMedia) == true)
        {
            requestMedia.Example = JsonNode.Parse(request);
        }

        foreach (var answer in context.Description.SupportedResponseTypes)
        {
            if (answer.Type is { } type
                && (ResponseExamples.ByType.GetValueOrDefault(type) ?? RequestExamples.ByType.GetValueOrDefault(type)) is { } example
                && operation.Responses?.GetValueOrDefault(answer.StatusCode.ToString(CultureInfo.InvariantCulture)) is { } response
                && response.Content?.TryGetValue(Json, out var responseMedia) == true)
            {
                responseMedia.Example = JsonNode.Parse(example);
            }
        }

        return Task.CompletedTask;
    }
}
