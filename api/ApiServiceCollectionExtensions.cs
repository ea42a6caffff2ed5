using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Notifly.Api.Admin;
using Notifly.Api.Auth;
using Notifly.Api.Dashboard;
using Notifly.Api.Http;
using Notifly.Api.Metrics;
using Notifly.Api.Notifications;
using Notifly.Api.OpenApi;
using Notifly.Api.Operator;
using Notifly.Api.Providers;
using Notifly.Api.Recipients;
using Notifly.Api.StatusWebhooks;
using Notifly.Api.Templates;
using Notifly.Grains.Storage;

namespace Notifly.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Largest body for any endpoint but the batch: one notification's 64 KiB payload plus its envelope.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>Largest batch body: 1,000 notifications of typical size with room to spare.</summary>
    public const long MaxBatchBodyBytes = 8 * 1024 * 1024;

    /// <summary>The default scheme: forwards to the API-key or the access-token handler.</summary>
    public const string CallerScheme = "Caller";

    public static IServiceCollection AddNotiflyApi(this IServiceCollection services)
    {
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = Json.Options.DefaultIgnoreCondition;
        });
        // Binding failures throw so NotiflyExceptionHandler can name the parameter; otherwise the
        // framework answers a bodiless 400 outside Development (and throws inside it).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Problems we build carry their code; any the framework writes through this service
            // gets the code its status stands for.
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            var code = StatusCodeProblems.CodeFor(status);
            if (context.ProblemDetails.Extensions.TryAdd("code", code))
            {
                context.ProblemDetails.Type = Problems.TypeFor(code);
            }
        });
        services.AddExceptionHandler<NotiflyExceptionHandler>();
        // A tenant's caller is an API key (nf_live_…) or a signed-in user's access token (a JWT),
        // both as 'Authorization: Bearer'; the caller scheme sends each to its handler.
        services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "API key or access token", o => o.ForwardDefaultSelector = context =>
                UserTokenEvents.IsUserToken(context) ? UserTokenEvents.Scheme : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(UserTokenEvents.Scheme, _ => { })
            .AddScheme<AuthenticationSchemeOptions, OperatorAuthenticationHandler>(OperatorAuthenticationHandler.SchemeName, null);
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AccessTokens>();
        services.AddOptions<JwtBearerOptions>(UserTokenEvents.Scheme).Configure<AccessTokens, IOptions<AuthOptions>>((jwt, tokens, auth) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Value.Issuer,
                ValidAudience = AccessTokens.Audience,
                IssuerSigningKeys = tokens.ValidationKeys.ToList(),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = UserTokenEvents.Create();
        });
        services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(OperatorAuthenticationHandler.Policy, p => p.AddAuthenticationSchemes(OperatorAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        foreach (var (policy, roles) in Policies.Roles)
        {
            authorization.AddPolicy(policy, p => p.RequireRole(roles));
        }
        services.AddNotiflyOpenApi();
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    public static WebApplication MapNotiflyApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync); // bodiless 404/405 from routing become problem details too
        app.UseNotiflyDashboard(); // static files answer before authentication
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<UnstorableTextGuard>(); // after auth: an anonymous caller learns nothing but 401
        app.UseNotiflyDashboardRoutes(); // a GET no endpoint took: the dashboard's own route
        app.MapNotiflyOpenApi();
        app.MapNotificationsApi();
        app.MapAdminApi();
        app.MapOperatorApi();
        app.MapAuthApi();
        app.MapUsersApi();
        app.MapTemplatesApi();
        app.MapStatusWebhooksApi();
        app.MapRecipientsApi();
        app.MapUnsubscribeApi();
        app.MapTwilioCallbacksApi();
        app.MapSendGridCallbacksApi();
        app.MapProvidersApi();
        app.MapHealthApi();
        app.MapNotiflyDashboardConfig();
        app.MapMetricsApi();
        return app;
    }
}
