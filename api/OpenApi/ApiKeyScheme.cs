using Microsoft.OpenApi;
using Notifly.Api.Auth;

namespace Notifly.Api.OpenApi;

/// <summary>The document's security schemes: a tenant's API key or a user's access token, and the operator token.</summary>
internal static class ApiKeyScheme
{
    public const string Id = ApiKeyAuthenticationHandler.SchemeName;

    /// <summary>
    /// A reference to the scheme, adding it to the document's components first: a requirement
    /// whose reference does not resolve is written out as an empty object, which grants nothing.
    /// </summary>
    public static OpenApiSecuritySchemeReference Reference(OpenApiDocument document)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(Id) != true)
        {
            document.AddComponent<IOpenApiSecurityScheme>(Id, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "nf_live_<prefix>.<secret>",
                Description = "A tenant's API key: `Authorization: Bearer nf_live_<prefix>.<secret>`. "
                    + "ADMIN keys may call every operation; SERVICE keys read, send and manage recipients (403 FORBIDDEN otherwise).",
            });
        }

        return new OpenApiSecuritySchemeReference(Id, document);
    }

    /// <summary>A signed-in user's access token, added to the document like <see cref="Reference"/>'s.</summary>
    public static OpenApiSecuritySchemeReference AccessTokenReference(OpenApiDocument document)
    {
        const string id = "AccessToken";
        if (document.Components?.SecuritySchemes?.ContainsKey(id) != true)
        {
            document.AddComponent<IOpenApiSecurityScheme>(id, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A signed-in admin user's access token (`POST /api/auth/login`), valid for minutes and renewed with "
                    + "`POST /api/auth/refresh`. The user's role (ADMIN, EDITOR, VIEWER) decides what it may call.",
            });
        }

        return new OpenApiSecuritySchemeReference(id, document);
    }

    /// <summary>The operator API's scheme, added to the document like <see cref="Reference"/>'s.</summary>
    public static OpenApiSecuritySchemeReference OperatorReference(OpenApiDocument document)
    {
        const string id = Operator.OperatorAuthenticationHandler.SchemeName;
        if (document.Components?.SecuritySchemes?.ContainsKey(id) != true)
        {
            document.AddComponent<IOpenApiSecurityScheme>(id, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "One of the deployment's operator tokens (`Notifly:Operator:Tokens`): "
                    + "`Authorization: Bearer <operator token>`. Only the operator API (`/api/operator`) takes it.",
            });
        }

        return new OpenApiSecuritySchemeReference(id, document);
    }
}
