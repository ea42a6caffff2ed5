using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>
/// Lists the problem answers of every operation from what its endpoint declares, so that no
/// route has to repeat them: a JSON body can be malformed (400), too large (413) or not JSON
/// (415); a query can be invalid (400); a route parameter can name nothing (404); a key can be
/// missing (401) or of the wrong role (403); and any operation can meet an unreachable database
/// (503) or a bug (500). <see cref="ProblemResponsesMetadata"/> adds what a handler decides itself.
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document is not { } document)
        {
            return Task.CompletedTask;
        }

        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var readsBody = metadata.OfType<JsonRequestBodyMetadata>().Any();
        var keyed = EndpointAccess.RequiresApiKey(metadata);
        var statuses = new SortedSet<int> { StatusCodes.Status500InternalServerError, StatusCodes.Status503ServiceUnavailable };
        if (readsBody)
        {
            statuses.UnionWith([StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }

        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true)
        {
            statuses.Add(StatusCodes.Status400BadRequest);
        }

        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Path) == true)
        {
            statuses.Add(StatusCodes.Status404NotFound);
        }

        var operatorApi = EndpointAccess.RequiresOperator(metadata);
        if (keyed || operatorApi)
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        if (keyed)
        {
            statuses.Add(StatusCodes.Status403Forbidden); // a suspended tenant's keys, whatever the role
        }

        foreach (var declared in metadata.OfType<ProblemResponsesMetadata>())
        {
            statuses.UnionWith(declared.Statuses);
        }

        operation.Responses ??= [];
        foreach (var status in statuses)
        {
            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] =
                ProblemResponses.Reference(ProblemResponses.Id(status, readsBody, keyed, operatorApi), document);
        }

        return Task.CompletedTask;
    }
}
