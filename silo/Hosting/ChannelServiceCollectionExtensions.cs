using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Channels.Sms;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Providers;
using Notifly.Grains.Recipients;
using Notifly.Grains.Tenants;
using Notifly.Grains.Security;
using Notifly.GrainInterfaces.Notifications;
using Microsoft.Extensions.Logging;

namespace Notifly.Silo.Hosting;

public static class ChannelServiceCollectionExtensions
{
    /// <summary>
    /// Registers the channel senders (webhook; email through SendGrid when the deployment has a
    /// SendGrid API key, else SMTP; Twilio SMS when the deployment has a Twilio account, FCM push
    /// when a service account is configured) and their options.
    /// </summary>
    public static IServiceCollection AddNotiflyChannels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // One long-lived client for all webhook deliveries: its handler pools connections and
        // recycles them every few minutes, so DNS changes are still picked up.
        services.AddSingleton<IChannelSender>(sp => ActivatorUtilities.CreateInstance<WebhookSender>(sp,
            WebhookSender.CreateHttpClient(EgressGuard.FromOptions(sp.GetRequiredService<IOptions<WebhookOptions>>().Value))));

        // A SendGrid account replaces SMTP as the deployment's email provider; it is not its
        // backup, since SMTP's defaults (localhost:25) would make every outage a second failure.
        if (HasSendGrid(configuration))
        {
            services.AddSingleton<IChannelSender>(sp => ActivatorUtilities.CreateInstance<SendGridEmailSender>(sp,
                SendGridEmailSender.CreateHttpClient(), sp.GetRequiredService<IOptions<SendGridOptions>>().Value));
        }
        else
        {
            services.AddSingleton<IChannelSender, SmtpEmailSender>();
        }

        // Optional: a deployment without a Twilio account has no SMS sender and should not enable SMS.
        if (HasTwilio(configuration))
        {
            services.AddSingleton<IChannelSender>(sp => ActivatorUtilities.CreateInstance<TwilioSmsSender>(sp, TwilioSmsSender.CreateHttpClient()));
        }

        services.AddFcm(configuration);
        return services;
    }

    /// <summary>
    /// Every role: tenants' own providers (docs/0015): the kinds a tenant may register, the registry that
    /// orders them per channel, and the router the dispatcher sends through. Tenant providers call
    /// out through the egress-guarded client: their base URLs are a tenant's input, like a webhook's.
    /// </summary>
    public static IServiceCollection AddNotiflyProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // The deployment's accounts: the worker sends with them, and every role checks their
        // delivery receipts, so an API-only node serves the callbacks too.
        if (HasSendGrid(configuration))
        {
            services.AddOptions<SendGridOptions>().BindConfiguration(SendGridOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        }

        if (HasTwilio(configuration))
        {
            services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        }

        services.AddSingleton<ProviderReceipts>();
        services.AddOptions<ProvidersOptions>().BindConfiguration(ProvidersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton(TenantProviders, (sp, _) =>
            WebhookSender.CreateHttpClient(EgressGuard.FromOptions(sp.GetRequiredService<IOptions<WebhookOptions>>().Value)));

        services.AddSingleton<ProviderKind>(sp => new ProviderKind<TwilioOptions>(
            "twilio", Channel.Sms, TwilioOptions.SectionName, [nameof(TwilioOptions.AuthToken)],
            (options, provider) =>
            {
                // Twilio reports this provider's messages to its own receipt URL, checked with its own token.
                options.StatusCallback = new Uri(
                    $"{sp.GetRequiredService<IOptions<RecipientsOptions>>().Value.PublicBaseUrl.TrimEnd('/')}{ProviderCallbackPaths.TwilioStatus}/{provider.ProviderId}");
                return new TwilioSmsSender(
                    sp.GetRequiredKeyedService<HttpClient>(TenantProviders), Options.Create(options), sp.GetRequiredService<TimeProvider>());
            },
            forbiddenFields: [nameof(TwilioOptions.StatusCallback)]));
        services.AddSingleton<ProviderKind>(sp => new ProviderKind<SendGridOptions>(
            "sendgrid", Channel.Email, SendGridOptions.SectionName, [nameof(SendGridOptions.ApiKey)],
            (options, _) => new SendGridEmailSender(
                sp.GetRequiredKeyedService<HttpClient>(TenantProviders), options, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<UnsubscribeLinks>())));
        services.AddSingleton<ProviderKind>(sp => new ProviderKind<FcmOptions>(
            "fcm", Channel.Push, FcmOptions.SectionName, [nameof(FcmOptions.ServiceAccountJson)],
            (options, _) =>
            {
                var client = sp.GetRequiredKeyedService<HttpClient>(TenantProviders);
                var time = sp.GetRequiredService<TimeProvider>();
                var tokens = new FcmAccessTokens(client, options.LoadServiceAccount(), time, sp.GetRequiredService<ILogger<FcmAccessTokens>>());
                return new FcmPushSender(client, tokens, Options.Create(options), time);
            },
            forbiddenFields: [nameof(FcmOptions.ServiceAccountFile)])); // a path on our disk is not a tenant's to name

        services.AddSingleton<ProviderStore>();
        services.AddSingleton<SealedSecretColumn>(ProviderStore.CredentialsColumn);
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ITenantSettingsCache>(sp => sp.GetRequiredService<ProviderRegistry>());
        services.AddSingleton<ProviderRouter>();
        return services;
    }

    private const string TenantProviders = "tenant-providers";

    private static bool HasSendGrid(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{SendGridOptions.SectionName}:{nameof(SendGridOptions.ApiKey)}"]);

    private static bool HasTwilio(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{TwilioOptions.SectionName}:{nameof(TwilioOptions.AccountSid)}"]);

    private static void AddFcm(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetSection(FcmOptions.SectionName).Get<FcmOptions>() is not { IsConfigured: true })
        {
            return;
        }

        services.AddOptions<FcmOptions>().BindConfiguration(FcmOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddKeyedSingleton(nameof(FcmPushSender), (_, _) => FcmPushSender.CreateHttpClient());
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<FcmAccessTokens>(sp,
            sp.GetRequiredKeyedService<HttpClient>(nameof(FcmPushSender)),
            sp.GetRequiredService<IOptions<FcmOptions>>().Value.LoadServiceAccount()));
        services.AddSingleton<IChannelSender>(sp => ActivatorUtilities.CreateInstance<FcmPushSender>(sp,
            sp.GetRequiredKeyedService<HttpClient>(nameof(FcmPushSender))));
    }
}
