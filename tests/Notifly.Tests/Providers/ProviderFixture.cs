using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.Tests.Support;

namespace Notifly.Tests.Providers;

/// <summary>
/// A node with SMS enabled but no Twilio account of its own, so SMS goes only through tenants'
/// providers; a circuit breaker quick enough to watch (two calls, one-second break); every log
/// line recorded.
/// </summary>
public sealed class ProviderFixture : IAsyncLifetime
{
    // Long enough that the circuit is still open for the send after the one that opened it, even
    // on a busy 2-core machine (at 1 s it half-opened in between now and then: a flaky failover test).
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(3);

    public NotiflyNode Node { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public RecordingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("providers");
        Node = await NotiflyNode.StartAsync(ConnectionString, Settings(), services: RecordLogs(Logs));
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Notifly:Channels:Enabled:0"] = "EMAIL",
        ["Notifly:Channels:Enabled:1"] = "SMS",
        ["Notifly:Retry:MaxAttempts"] = "2",
        ["Notifly:Providers:CircuitBreaker:MinimumThroughput"] = "2",
        ["Notifly:Providers:CircuitBreaker:FailureRatio"] = "0.5",
        ["Notifly:Providers:CircuitBreaker:SamplingDuration"] = "00:00:30",
        ["Notifly:Providers:CircuitBreaker:BreakDuration"] = BreakDuration.ToString(),
    };

    public static Action<IServiceCollection> RecordLogs(RecordingLoggerProvider logs) => s =>
    {
        s.AddSingleton<ILoggerProvider>(logs);
        s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(RecordingLoggerProvider).FullName, null, LogLevel.Debug, null)));
    };

    /// <summary>A Twilio provider's create request pointing at <paramref name="twilio"/>.</summary>
    public static object Twilio(string name, int priority, FakeTwilio twilio, string? authToken = FakeTwilio.AuthToken) => new
    {
        name,
        kind = "twilio",
        priority,
        settings = new { accountSid = FakeTwilio.AccountSid, from = "+15005550006", baseUrl = twilio.BaseAddress, timeout = "00:00:05" },
        credentials = authToken is null ? null : new { authToken },
    };
}
