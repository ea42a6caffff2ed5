namespace Notifly.Tests.Support;

/// <summary>One database and one running node per test class; tests isolate by creating their own tenant.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public NotiflyNode Node { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public SmtpSink Smtp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("e2e");
        Smtp = await SmtpSink.StartAsync();
        Node = await NotiflyNode.StartAsync(ConnectionString, new Dictionary<string, string?>
        {
            ["Notifly:Channels:Smtp:Host"] = Smtp.Host,
            ["Notifly:Channels:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
