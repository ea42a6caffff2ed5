using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Hosting;
using Orleans.TestingHost;

namespace Notifly.Tests.Support;

/// <summary>
/// One silo on Orleans' in-process test cluster with Notifly's core services over a database of
/// its own on the shared test PostgreSQL: for grain tests, which call the grains through the
/// cluster's client as an api node would.
/// </summary>
public static class GrainCluster
{
    public static async Task<(InProcessTestCluster Cluster, string ConnectionString)> StartAsync(string databaseName)
    {
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(databaseName);
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Notifly"] = connectionString,
            ["Notifly:Secrets:Keys:test-1"] = NotiflyNode.TestSecretsKey,
            ["Notifly:Secrets:ActiveKey"] = "test-1",
        };

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.Services.AddNotiflyCore(host.Configuration);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return (cluster, connectionString);
    }
}
