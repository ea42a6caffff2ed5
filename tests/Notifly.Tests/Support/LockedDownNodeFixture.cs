using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Grains.Security;

namespace Notifly.Tests.Support;

/// <summary>
/// A node configured as production is by default, unlike the other test nodes: webhooks may not
/// reach loopback (only a documentation network is allowed), and there is no Notifly:Secrets key.
/// </summary>
public sealed class LockedDownNodeFixture : IAsyncLifetime
{
    public NotiflyNode Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        Node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("locked_down"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "192.0.2.0/24",
        }, services: s => s.AddSingleton(Options.Create(new SecretsOptions())));
    }

    public Task DisposeAsync() => Node.DisposeAsync().AsTask();
}
