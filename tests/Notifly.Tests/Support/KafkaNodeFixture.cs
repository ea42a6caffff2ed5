using Microsoft.Extensions.DependencyInjection;
using Notifly.Grains.Kafka;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Support;

/// <summary>
/// A database, a three-broker mock Kafka cluster with Notifly's topics (under a prefix of their
/// own), a webhook receiver, and one node wired to all three. Tests isolate by tenant.
/// </summary>
public class KafkaNodeFixture : IAsyncLifetime
{
    public const int Partitions = 4;

    public MockKafkaCluster Cluster { get; private set; } = null!;

    public KafkaTopics Topics { get; private set; } = null!;

    public string TopicPrefix { get; } = $"t{Guid.NewGuid().ToString("N")[..8]}.";

    public string ConnectionString { get; private set; } = "";

    public WebhookReceiver Webhooks { get; private set; } = null!;

    public NotiflyNode Node { get; private set; } = null!;

    public string BootstrapServers => Cluster.BootstrapServers;

    public async Task InitializeAsync()
    {
        Cluster = MockKafkaCluster.Start(brokers: 3);
        Topics = new KafkaTopics(TopicPrefix);
        foreach (var topic in Topics.All)
        {
            Cluster.CreateTopic(topic, Partitions, replicationFactor: 3);
        }

        var postgres = await PostgresServer.GetAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("kafka");
        Webhooks = await WebhookReceiver.StartAsync();
        Node = await StartNodeAsync(NodeSettings(), services: NodeServices);
    }

    /// <summary>Settings of the fixture's own node beyond the cluster's, for a fixture built on this one.</summary>
    protected virtual IDictionary<string, string?>? NodeSettings() => null;

    /// <summary>Services of the fixture's own node (an exporter, a clock), for a fixture built on this one.</summary>
    protected virtual void NodeServices(IServiceCollection services)
    {
    }

    /// <summary>Another node on the same database and cluster (the fixture disposes only its own).</summary>
    public Task<NotiflyNode> StartNodeAsync(
        IDictionary<string, string?>? settings = null, NotiflyRole role = NotiflyRole.All, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(KafkaSettings());
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return NotiflyNode.StartAsync(ConnectionString, all, role, services);
    }

    /// <summary>The settings that point a node (in-process or the real binary) at this cluster.</summary>
    public IReadOnlyDictionary<string, string?> KafkaSettings() => new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = BootstrapServers,
        ["Kafka:TopicPrefix"] = TopicPrefix,
        // Short, so a produce during a test's broker outage fails within the test's patience and
        // the relay's failure-and-retry path runs (production keeps 30 s).
        ["Kafka:Outbox:MessageTimeout"] = "00:00:02",
    };

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Webhooks.DisposeAsync();
        Cluster.Dispose();
    }
}
