using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Hosting;
using Notifly.Grains.Metrics;
using Notifly.Grains.Retention;
using Notifly.Grains.Runtime;

namespace Notifly.Silo.Hosting;

public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// The worker side: the reminder service and the channel senders it drives, and the
    /// status-webhook dispatcher, the dashboard metrics' rollup and the retention job; only the senders when <c>Notifly:Dispatch:Enabled</c> is false.
    /// </summary>
    public static IServiceCollection AddNotiflySilo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DispatchOptions>().BindConfiguration("Notifly:Dispatch").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DispatchOptions>, LeaseCoversTimeouts>();
        services.AddNotiflyChannels(configuration);
        services.AddSingleton<DeadPushTokens>();
        services.AddSingleton<ReminderService>();
        if (configuration.GetSection("Notifly:Dispatch").Get<DispatchOptions>() is { Enabled: false })
        {
            return services;
        }

        services.AddSingleton<DispatchesHere>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderService>());
        services.AddNotiflyStatusWebhookDispatcher();
        services.AddHostedService<MetricsRollup>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
