using Microsoft.OpenApi;
using Notifly.Api.Auth;

namespace Notifly.Api.OpenApi;

/// <summary>The document's security schemes: a tenant's API key or a user's access token, and the operator token.</summary>
internal static class ApiKeyScheme
{
    public const string Id = ApiKeyAuthenticationHandler.SchemeName;

    public static OpenApiSecuritySchemeReference Reference(OpenApiDocument document) =>
        Bearer(document, Id, "nf_live_<prefix>.<secret>",
            "A tenant's API key: `Authorization: Bearer nf_live_<prefix>.<secret>`. "
            + "ADMIN keys may call every operation; SERVICE keys read, send and manage recipients (403 FORBIDDEN otherwise).");

    public static OpenApiSecuritySchemeReference AccessTokenReference(OpenApiDocument document) =>
        Bearer(document, "AccessToken", "JWT",
            "A signed-in admin user's access token (`POST /api/auth/login`), valid for minutes and renewed with "
            + "`POST /api/auth/refresh`. The user's role (ADMIN, EDITOR, VIEWER) decides what it may call.");

    public static OpenApiSecuritySchemeReference OperatorReference(OpenApiDocument document) =>
        Bearer(document, Operator.OperatorAuthenticationHandler.SchemeName, null,
            "One of the deployment's operator tokens (`Notifly:Operator:Tokens`): "
            + "`Authorization: Bearer <operator token>`. Only the operator API (`/api/operator`) takes it.");

    /// <summary>
    /// A reference to a bearer scheme, adding it to the document's components first: a requirement
    /// whose reference does not resolve is written out as an empty object, which grants nothing.
    /// </summary>
    private static OpenApiSecuritySchemeReference Bearer(OpenApiDocument document, string id, string? format, string description)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(id) != true)
        {
            document.AddComponent<IOpenApiSecurityScheme>(id, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = format,
                Description = description,
            });
        }

        return new OpenApiSecuritySchemeReference(id, document);
    }
}
