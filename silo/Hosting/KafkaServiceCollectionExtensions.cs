using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Ingestion;
using Notifly.Grains.Kafka.Outbox;

namespace Notifly.Silo.Hosting;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// The silo's Kafka side: ingestion from notification.requested and the outbox relay to the
    /// status and dead-letter topics. Nothing is registered while Kafka:BootstrapServers is empty.
    /// </summary>
    public static IServiceCollection AddNotiflyKafka(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(KafkaOptions.Section).Get<KafkaOptions>() ?? new KafkaOptions();
        if (!options.Enabled)
        {
            return services;
        }

        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<OutboxRelay>();
        services.AddKafkaIngestion(configuration);
        return services;
    }

    private static void AddKafkaIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KafkaIngestionOptions>().BindConfiguration(KafkaIngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (configuration.GetSection(KafkaIngestionOptions.Section).Get<KafkaIngestionOptions>() is { Enabled: false })
        {
            return;
        }

        services.AddSingleton<IngestionPolicies>();
        services.AddSingleton<KafkaIngestionService>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaIngestionService>());
    }
}
