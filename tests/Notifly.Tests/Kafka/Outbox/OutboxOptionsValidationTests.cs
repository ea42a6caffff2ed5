using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Kafka.Outbox;

// Covers the relay's settings as the silo registers them: bound from Kafka:Outbox, refused at
// start with the setting's name. The relay's behaviour is in OutboxRelayTests.
public sealed class OutboxOptionsValidationTests
{
    [Fact]
    public void Binds_the_defaults_and_the_configured_values()
    {
        Resolve(new() { ["Kafka:Outbox:BatchSize"] = "50" }).Should().BeEquivalentTo(new
        {
            BatchSize = 50,
            PollInterval = TimeSpan.FromMilliseconds(500),
            MessageTimeout = TimeSpan.FromSeconds(30),
            Retention = TimeSpan.Zero,
        });
    }

    [Theory]
    [InlineData("BatchSize", "0")]
    [InlineData("PollInterval", "00:00:00")]
    [InlineData("MessageTimeout", "00:00:00")]
    [InlineData("Retention", "-00:00:01")]
    public void Refuses_a_setting_out_of_range_naming_it(string setting, string value)
    {
        var resolve = () => Resolve(new() { [$"Kafka:Outbox:{setting}"] = value });

        resolve.Should().Throw<OptionsValidationException>().WithMessage($"*{setting}*");
    }

    private static OutboxOptions Resolve(Dictionary<string, string?> settings)
    {
        settings["Kafka:BootstrapServers"] = "127.0.0.1:9"; // the relay is registered only with Kafka on
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddNotiflyKafka(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<OutboxOptions>>().Value;
    }
}
