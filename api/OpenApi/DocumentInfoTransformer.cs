using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notifly.Api.OpenApi;

/// <summary>The document's title and the few things every operation has in common.</summary>
internal sealed class DocumentInfoTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Notifly API",
            Version = "v1",
            Description = "Multi-tenant notifications over EMAIL, SMS, PUSH and WEBHOOK. Every call but the public ones "
                + "(unsubscribe links, provider callbacks) needs a tenant's API key as a bearer token. Every answer that "
                + "is not 2xx is an RFC 9457 problem detail (`application/problem+json`) whose `code` says what to do.",
        };
        return Task.CompletedTask;
    }
}
