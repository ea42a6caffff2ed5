using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Notifly.Api.Admin;
using Notifly.Api.Providers;
using Notifly.GrainInterfaces.Tenants;

namespace Notifly.Api.OpenApi;

/// <summary>
/// Says which members a request must carry where the schema generator guesses wrong. It takes a
/// record's parameters without defaults as required, but our JSON reading enforces none of
/// them: the validators do. A client generated from the guess would have to send
/// <c>"rateLimits": null</c> in a settings PUT that means to leave rate limits alone.
/// </summary>
internal sealed class RequiredPropertiesTransformer : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<Type, string[]> Required = new()
    {
        [typeof(TenantSettings)] = [], // any one section (the validator asks for at least one)
        [typeof(RetryPoliciesSettings)] = [],
        [typeof(ProviderRequest)] = ["name", "kind"],
        [typeof(CreateApiKeyRequest)] = ["name"], // role defaults to SERVICE
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (Required.TryGetValue(context.JsonTypeInfo.Type, out var required))
        {
            schema.Required = required.Length == 0 ? null : new HashSet<string>(required, StringComparer.Ordinal);
        }

        return Task.CompletedTask;
    }
}
