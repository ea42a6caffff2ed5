using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Notifly.Api.Dashboard;

/// <summary>The answer of <c>GET /api/dashboard</c>.</summary>
public sealed record DashboardConfig(bool DevTools);

/// <summary>
/// Serves the admin dashboard (<c>dashboard/</c>, built by Vite and copied beside the executable)
/// at <c>/</c>: hashed assets cached for a year, <c>index.html</c> for every other path that is
/// not the API's, so that the dashboard's own routes survive a reload. Every answer carries a
/// strict Content-Security-Policy: the build has no inline script or style.
/// </summary>
public static class DashboardHosting
{
    /// <summary>True in single-node mode, whose mailbox and webhook sink the dashboard then shows.</summary>
    public const string DevToolsSetting = "Notifly:Dashboard:DevTools";

    /// <summary>The folder beside the executable that holds the built dashboard.</summary>
    public const string Folder = "dashboard";

    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // Paths that belong to the API and its tools: an unknown one there is a 404, never the page.
    private static readonly string[] ServerPaths = ["/api", "/health", "/metrics", "/openapi", "/docs", "/swagger", "/dev", "/orleans"];

    /// <summary>
    /// <c>GET /api/dashboard</c>: what the dashboard needs to know of this node before it asks
    /// anything else (whether single-node mode's tools exist), so that it never probes for a 404.
    /// Anonymous and outside the API description: it says nothing about any tenant.
    /// </summary>
    public static IEndpointRouteBuilder MapNotiflyDashboardConfig(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", (IConfiguration configuration) => TypedResults.Ok(new DashboardConfig(configuration.GetValue<bool>(DevToolsSetting))))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Serves the dashboard when it was built; without it the node serves the API alone.</summary>
    public static WebApplication UseNotiflyDashboard(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, Folder);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                AddSecurityHeaders(context.Context.Response);
                context.Context.Response.Headers.CacheControl = context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable" // the file name changes with its content
                    : "no-cache";
            },
        });
        return app;
    }

    /// <summary>
    /// index.html for the dashboard's client-side routes: a GET that no endpoint took, outside the
    /// API's paths. Middleware after routing rather than a fallback endpoint, so that a wrong
    /// method on an API path still gets routing's 405.
    /// </summary>
    public static WebApplication UseNotiflyDashboardRoutes(this WebApplication app)
    {
        var index = Path.Combine(AppContext.BaseDirectory, Folder, "index.html");
        if (!File.Exists(index))
        {
            return app;
        }

        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (context.GetEndpoint() is not null
                || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                || Path.HasExtension(path.Value)
                || ServerPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                return next(context);
            }

            AddSecurityHeaders(context.Response);
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.SendFileAsync(index, context.RequestAborted);
        });
        return app;
    }

    private static void AddSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
    }
}
