using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Notifly.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and the interactive docs at <c>/docs</c>.</summary>
public static class OpenApiRegistration
{
    public const string DocumentPath = "/openapi/v1.json";

    public const string DocsPath = "docs";

    public static IServiceCollection AddNotiflyOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<DocumentInfoTransformer>();
            o.AddSchemaTransformer<RequiredPropertiesTransformer>();
            o.AddSchemaTransformer<WireValuesTransformer>();
            // In this order: the examples go into the body and responses the others add.
            o.AddOperationTransformer<RequestBodyTransformer>();
            o.AddOperationTransformer<ApiKeyRequirementTransformer>();
            o.AddOperationTransformer<ProblemResponsesTransformer>();
            o.AddOperationTransformer<ExamplesTransformer>();
        });

    public static WebApplication MapNotiflyOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Middleware, not an endpoint, so no authorization applies; its assets are embedded in
        // the package, so the page works where no CDN can be reached.
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = DocsPath;
            o.DocumentTitle = "Notifly API";
            o.SwaggerEndpoint(DocumentPath, "Notifly API v1");
            o.EnableDeepLinking(); // /docs#/Notifications/SendNotification opens that operation
        });
        return app;
    }
}
