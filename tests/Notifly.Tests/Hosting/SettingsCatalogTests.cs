// The catalog of every setting Notifly reads: a node warns about a key it would ignore, and the
// Kubernetes manifests are checked against it. These pin what it accepts and refuses, and that
// no options class is missing from it.
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.Hosting;

public class SettingsCatalogTests
{
    [Theory]
    [InlineData("ConnectionStrings:Notifly", "Host=db")]
    [InlineData("Notifly:Role", "Worker")]
    [InlineData("Notifly:PublicBaseUrl", "https://notifly.example.com")]
    [InlineData("Notifly:Channels:Smtp:Host", "smtp.example.com")]
    [InlineData("notifly:channels:smtp:port", "587")]
    [InlineData("Notifly:Channels:Smtp:Security", "StartTls")]
    [InlineData("Notifly:Channels:Enabled:0", "Sms")]
    [InlineData("Notifly:Channels:Webhook:AllowedNetworks:1", "10.0.0.0/8")]
    [InlineData("Notifly:Secrets:Keys:k1", "c2VjcmV0")]
    [InlineData("Notifly:Auth:SigningKeys:0", "c2VjcmV0")]
    [InlineData("Notifly:Providers:Kinds:twilio:MaxConcurrency", "10")]
    [InlineData("Notifly:Orleans:Membership:NumMissedProbesLimit", "3")]
    [InlineData("Notifly:Orleans:Redis", "redis:6379")]
    [InlineData("Notifly:Metrics:Port", "9090")]
    [InlineData("Notifly:Tracing:Enabled", "true")]
    [InlineData("Kafka:Properties:client.rack", "eu-1a")]
    [InlineData("Kafka:Outbox:MessageTimeout", "00:00:30")]
    [InlineData("Logging:LogLevel:Default", "Debug")] // the framework's: not judged
    [InlineData("OTEL_SERVICE_NAME", "notifly")]
    public void Accepts_what_a_node_binds(string key, string value) =>
        SettingsCatalog.Problem(key, value).Should().BeNull();

    [Theory]
    [InlineData("Notifly:Chanels:Smtp:Host", "smtp", "'Chanels' is not a setting under Notifly")]
    [InlineData("Notifly:Channels:Smtp:Hostname", "smtp", "'Hostname' is not a setting under Notifly:Channels:Smtp")]
    [InlineData("Notifly:Channels:Smtp:Port", "submission", "its value is not a valid Int32")]
    [InlineData("Notifly:Channels:Smtp:Security", "Starttls-please", "its value is not a valid SmtpSecurity")]
    [InlineData("Notifly:Auth:SigningKeys:first", "x", "'first' is not a list index (0, 1, …)")]
    [InlineData("Notifly:Role:Api", "x", "'Api' is not a setting: Notifly:Role is a single value")]
    [InlineData("Notifly:Providers:Kinds:twilio:MaxConcurrent", "5", "'MaxConcurrent' is not a setting under Notifly:Providers:Kinds:twilio")]
    [InlineData("ConnectionStrings:Other", "Host=db", "no Notifly setting has this name")]
    [InlineData("Kafka:BootstrapServer", "kafka:9092", "'BootstrapServer' is not a setting under Kafka")]
    public void Names_what_a_node_would_ignore(string key, string value, string problem) =>
        SettingsCatalog.Problem(key, value).Should().Be(problem);

    [Fact]
    public void Lists_every_options_class_at_its_section()
    {
        var assemblies = new[] { typeof(NotiflyApp), typeof(Notifly.Api.Metrics.MetricsApi), typeof(Notifly.Grains.Kafka.KafkaOptions) }
            .Select(t => t.Assembly);
        var declared = assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.Name is "Section" or "SectionName" && f.FieldType == typeof(string))
                .Select(f => (Section: (string)f.GetRawConstantValue()!, Type: t)))
            .ToArray();

        declared.Should().NotBeEmpty();
        foreach (var (section, type) in declared)
        {
            SettingsCatalog.Sections.Should().Contain(section, type, $"{type.Name} binds {section}");
        }
    }

    [Fact]
    public async Task A_node_warns_at_start_about_a_setting_it_ignores_without_echoing_its_value()
    {
        var postgres = await PostgresServer.GetAsync();
        var logs = new RecordingLoggerProvider();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("settings"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Smtp:Pasword"] = "hunter2-secret",
        }, services: s => s.AddSingleton<ILoggerProvider>(logs));

        logs.Lines.Should().ContainSingle(l => l.Contains("Setting Notifly:Channels:Smtp:Pasword is not used", StringComparison.Ordinal))
            .Which.Should().Contain("'Pasword' is not a setting under Notifly:Channels:Smtp");
        logs.Lines.Should().NotContain(l => l.Contains("hunter2-secret", StringComparison.Ordinal));
        logs.Lines.Should().NotContain(l => l.Contains("Notifly.Settings", StringComparison.Ordinal) && !l.Contains("Pasword", StringComparison.Ordinal),
            "a test node's own settings are all used");
    }
}
