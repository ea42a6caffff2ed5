using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Silo.Hosting;

public static class ChannelServiceCollectionExtensions
{
    /// <summary>Registers the channel senders (webhook, SMTP email) and their options.</summary>
    public static IServiceCollection AddNotiflyChannels(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // One long-lived client for all webhook deliveries: its handler pools connections and
        // recycles them every few minutes, so DNS changes are still picked up.
        services.AddSingleton<IChannelSender>(sp => ActivatorUtilities.CreateInstance<WebhookSender>(sp,
            WebhookSender.CreateHttpClient(EgressGuard.FromOptions(sp.GetRequiredService<IOptions<WebhookOptions>>().Value))));
        services.AddSingleton<IChannelSender, SmtpEmailSender>();
        return services;
    }
}
