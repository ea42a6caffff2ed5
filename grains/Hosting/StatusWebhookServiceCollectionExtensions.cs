using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Runtime;
using Notifly.Grains.StatusWebhooks;

namespace Notifly.Grains.Hosting;

public static class StatusWebhookServiceCollectionExtensions
{
    /// <summary>
    /// What every node needs for status webhooks (docs/0017): their settings, and the presence
    /// cache and wake-up the hot paths use.
    /// </summary>
    public static IServiceCollection AddNotiflyStatusWebhooks(this IServiceCollection services)
    {
        services.AddOptions<StatusWebhookOptions>().BindConfiguration(StatusWebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<StatusWebhookPresence>();
        services.AddSingleton<IPostgresNotificationHandler>(sp => sp.GetRequiredService<StatusWebhookPresence>());
        services.AddSingleton<StatusWebhookSignal>();
        services.AddSingleton<IPostgresNotificationHandler>(sp => sp.GetRequiredService<StatusWebhookSignal>());
        return services;
    }
}
