using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Notifly.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>.</summary>
public static class OpenApiRegistration
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddNotiflyOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<DocumentInfoTransformer>();
            o.AddSchemaTransformer<RequiredPropertiesTransformer>();
            // In this order: the examples go into the body and responses the others add.
            o.AddOperationTransformer<RequestBodyTransformer>();
            o.AddOperationTransformer<ApiKeyRequirementTransformer>();
            o.AddOperationTransformer<ProblemResponsesTransformer>();
            o.AddOperationTransformer<ExamplesTransformer>();
        });

    public static WebApplication MapNotiflyOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }
}
