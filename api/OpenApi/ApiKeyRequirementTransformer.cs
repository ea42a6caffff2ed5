using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>Marks every operation that requires authorization with the API-key requirement; public ones stay open.</summary>
internal sealed class ApiKeyRequirementTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document is { } document && EndpointAccess.RequiresApiKey(context.Description.ActionDescriptor.EndpointMetadata))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [ApiKeyScheme.Reference(document)] = [] });
        }

        return Task.CompletedTask;
    }
}
