using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Notifly.Api.Admin;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.Metrics;
using Notifly.Api.Notifications;
using Notifly.Api.OpenApi;
using Notifly.Api.Providers;
using Notifly.Api.Recipients;
using Notifly.Api.StatusWebhooks;
using Notifly.Api.Templates;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;

namespace Notifly.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Largest body for any endpoint but the batch: one notification's 64 KiB payload plus its envelope.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>Largest batch body: 1,000 notifications of typical size with room to spare.</summary>
    public const long MaxBatchBodyBytes = 8 * 1024 * 1024;

    public static IServiceCollection AddNotiflyApi(this IServiceCollection services)
    {
        services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = Json.Options.DefaultIgnoreCondition;
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<NotiflyExceptionHandler>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Grains.Tenants.ApiPrincipal.AdminRole));
        services.AddNotiflyOpenApi();
        services.AddSingleton(_ => new PrometheusMetrics(NotiflyMetrics.MeterName));
        return services;
    }

    public static WebApplication MapNotiflyApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // bare 404/405 from routing become problem details too
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapNotiflyOpenApi();
        app.MapNotificationsApi();
        app.MapAdminApi();
        app.MapTemplatesApi();
        app.MapStatusWebhooksApi();
        app.MapRecipientsApi();
        app.MapUnsubscribeApi();
        app.MapTwilioCallbacksApi();
        app.MapSendGridCallbacksApi();
        app.MapProvidersApi();
        app.MapHealthApi();
        app.MapMetricsApi();
        _ = app.Services.GetRequiredService<PrometheusMetrics>(); // listen from the start, not from the first scrape
        return app;
    }
}
