using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.Recipients;
using Notifly.Grains.Runtime;
using Notifly.Grains.Security;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;
using Notifly.Grains.Tenants;
using Notifly.Grains.Tenants.Policies;
using Notifly.Grains.Tenants.RateLimits;
using Notifly.Grains.Users;

namespace Notifly.Grains.Hosting;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// What every node needs: PostgreSQL, migrations, the grain runtime's stores, intake and
    /// API keys. The silo adds the dispatcher and senders on top.
    /// </summary>
    public static IServiceCollection AddNotiflyCore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Notifly");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Notifly is not set. Set it (env ConnectionStrings__Notifly) or run single-node mode with './run.sh'.");
        }

        services.AddSingleton(_ => NotiflyDataSource.Create(connectionString));
        services.AddSingleton<Database>();
        services.AddHostedService<MigrationService>(); // first: everything after it needs the schema
        services.TryAddSingletonTimeProvider();

        services.AddOptions<RetryOptions>().BindConfiguration("Notifly:Retry").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RetryOptions>>().Value.ToPolicy());
        services.AddOptions<IntakeOptions>().BindConfiguration("Notifly:Intake").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ChannelsOptions>().BindConfiguration("Notifly:Channels");
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section);
        services.AddSingleton<KafkaClients>();
        services.AddSingleton<OutboxSignal>();

        services.AddSingleton<WakeUpSignal>();
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<IntakeBatch>();
        services.AddSingleton<IntakeWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IntakeWriter>());
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<TemplateIntake>();
        services.AddSingleton<RecipientStore>();
        services.AddSingleton<RecipientIntake>();
        services.AddSingleton<UnsubscribeLinks>();
        services.AddOptions<RecipientsOptions>().BindConfiguration(RecipientsOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ITenantSettingsCache>(sp => sp.GetRequiredService<ApiKeyCache>());
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<TenantService>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton(configuration.GetSection("Notifly:Auth:Throttle").Get<LoginThrottleOptions>() ?? new LoginThrottleOptions());
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenBuckets>();
        services.AddOptions<TenantWatchOptions>().BindConfiguration(TenantWatchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TenantWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<TenantWatch>());
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<ITenantSettingsCache>(sp => sp.GetRequiredService<RateLimiter>());
        services.AddSingleton<TenantSettingsService>();
        services.AddSingleton<PolicySettingsStore>();
        services.AddSingleton<TenantPolicyCache>();
        services.AddSingleton<ITenantSettingsCache>(sp => sp.GetRequiredService<TenantPolicyCache>());
        services.AddSingleton<PostgresListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresListener>());

        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SecretBox>();
        services.AddHostedService<SecretRewrapService>();
        services.AddNotiflyStatusWebhooks();
        return services;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
