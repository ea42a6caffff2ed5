using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Notifly.Tests.Support;

/// <summary>
/// One node for status-webhook tests: retries 100 ms apart without jitter, endpoints disabled
/// after <see cref="DisableAfterFailures"/> failed attempts in a row however short the run, quick
/// polling, and every log line recorded (to show secrets never reach the logs).
/// </summary>
public sealed class StatusWebhookNodeFixture : IAsyncLifetime
{
    public const int DisableAfterFailures = 5;

    public NotiflyNode Node { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public RecordingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("status_webhooks");
        Node = await NotiflyNode.StartAsync(ConnectionString, new Dictionary<string, string?>
        {
            ["Notifly:StatusWebhooks:RetryDelays:0"] = "00:00:00.100",
            ["Notifly:StatusWebhooks:RetryDelays:1"] = "00:00:00.100",
            ["Notifly:StatusWebhooks:RetryDelays:2"] = "00:00:00.100",
            ["Notifly:StatusWebhooks:JitterFraction"] = "0",
            ["Notifly:StatusWebhooks:DisableAfterFailures"] = DisableAfterFailures.ToString(CultureInfo.InvariantCulture),
            ["Notifly:StatusWebhooks:DisableAfterFailingFor"] = "00:00:00",
            ["Notifly:StatusWebhooks:PollInterval"] = "00:00:00.100",
        }, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(Logs);
            s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(RecordingLoggerProvider).FullName, null, LogLevel.Trace, null)));
        });
    }

    public Task DisposeAsync() => Node.DisposeAsync().AsTask();
}
