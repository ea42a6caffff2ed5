using Microsoft.Extensions.DependencyInjection;

namespace Notifly.Tests.Support;

/// <summary>One database and one running node per test class; tests isolate by creating their own tenant.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public NotiflyNode Node { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public SmtpSink Smtp { get; private set; } = null!;

    /// <summary>Channel sender calls seen by the node's silo.</summary>
    public GrainCallRecorder GrainCalls { get; } = new();

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("e2e");
        Smtp = await SmtpSink.StartAsync();
        Node = await NotiflyNode.StartAsync(ConnectionString, new Dictionary<string, string?>
        {
            ["Notifly:Channels:Smtp:Host"] = Smtp.Host,
            ["Notifly:Channels:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, services: s => s.AddSingleton<IIncomingGrainCallFilter>(GrainCalls));
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
