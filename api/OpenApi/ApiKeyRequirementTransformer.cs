using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>Marks every operation that requires authorization with its scheme's requirement (API key, or the operator token for the operator API); public ones stay open.</summary>
internal sealed class ApiKeyRequirementTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document is { } document && EndpointAccess.RequiresApiKey(context.Description.ActionDescriptor.EndpointMetadata))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [ApiKeyScheme.Reference(document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [ApiKeyScheme.AccessTokenReference(document)] = [] });
        }
        else if (context.Document is { } operatorDocument && EndpointAccess.RequiresOperator(context.Description.ActionDescriptor.EndpointMetadata))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [ApiKeyScheme.OperatorReference(operatorDocument)] = [] });
        }

        return Task.CompletedTask;
    }
}
