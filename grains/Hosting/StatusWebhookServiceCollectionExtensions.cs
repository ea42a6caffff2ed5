using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Runtime;
using Notifly.Grains.Security;
using Notifly.Grains.StatusWebhooks;

namespace Notifly.Grains.Hosting;

public static class StatusWebhookServiceCollectionExtensions
{
    /// <summary>
    /// What every node needs for status webhooks (docs/0017): their settings, the presence cache
    /// and wake-up the hot paths use, the API's endpoint store and destination check, and the
    /// sealed secret columns for re-sealing on key rotation.
    /// </summary>
    public static IServiceCollection AddNotiflyStatusWebhooks(this IServiceCollection services)
    {
        services.AddOptions<StatusWebhookOptions>().BindConfiguration(StatusWebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // The webhook channel's egress settings, bound under a name of our own: API-only nodes
        // have no channels, and binding the channel's unnamed options twice would double its lists.
        services.AddOptions<WebhookOptions>(WebhookDestinations.OptionsName)
            .BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<StatusWebhookPresence>();
        services.AddSingleton<IPostgresNotificationHandler>(sp => sp.GetRequiredService<StatusWebhookPresence>());
        services.AddSingleton<StatusWebhookSignal>();
        services.AddSingleton<IPostgresNotificationHandler>(sp => sp.GetRequiredService<StatusWebhookSignal>());
        services.AddSingleton<WebhookEndpointStore>();
        services.AddSingleton<WebhookDestinations>();
        services.AddSingleton(StatusWebhookSecrets.Current);
        services.AddSingleton(StatusWebhookSecrets.Previous);
        return services;
    }

    /// <summary>The worker side: the dispatcher and its SSRF-guarded HTTP client.</summary>
    public static IServiceCollection AddNotiflyStatusWebhookDispatcher(this IServiceCollection services)
    {
        services.AddSingleton<StatusWebhookStore>();
        services.AddSingleton(sp => new StatusWebhookCall(
            WebhookSender.CreateHttpClient(EgressGuard.FromOptions(
                sp.GetRequiredService<IOptionsMonitor<WebhookOptions>>().Get(WebhookDestinations.OptionsName))),
            sp.GetRequiredService<SecretBox>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<StatusWebhookDispatcher>();
        return services;
    }
}
