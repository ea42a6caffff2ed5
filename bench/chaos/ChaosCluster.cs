using System.Globalization;
using Notifly.Bench.Hosting;
using Notifly.Grains.Kafka;
using Notifly.Silo.Hosting;

namespace Notifly.Chaos;

/// <summary>
/// What the chaos run runs: a private PostgreSQL with durable settings, Redis for the membership,
/// librdkafka's mock Kafka cluster in this process, and the built <c>notifly</c> binary as worker
/// silos and api nodes, each its own process with its log in <see cref="Logs"/>. Nodes can be
/// killed (SIGKILL) and started again, as Kubernetes restarts a pod; PostgreSQL can crash.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public const string OperatorToken = "chaos-operator-token-0123456789abcdef";
    public const string TopicPrefix = "chaos.";
    private const string Key = "Y2hhb3MtcnVuLWtleS0zMi1ieXRlcy1sb25nLTAxMjM="; // any 32 bytes

    private readonly PrivatePostgresOptions _postgresOptions;
    private readonly RedisProcess _redis;
    private readonly string _clusterId = $"chaos-{Guid.NewGuid():N}";
    private readonly string _receiverUrl;
    private PrivatePostgres _postgres;

    private ChaosCluster(PrivatePostgresOptions postgresOptions, PrivatePostgres postgres, RedisProcess redis, MockKafkaCluster kafka, string logs, string receiverUrl)
    {
        _postgresOptions = postgresOptions;
        _postgres = postgres;
        _redis = redis;
        _receiverUrl = receiverUrl;
        Kafka = kafka;
        Logs = logs;
        Topics = new KafkaTopics(TopicPrefix);
        foreach (var topic in Topics.All)
        {
            kafka.CreateTopic(topic, partitions: 4);
        }
    }

    public string ConnectionString => _postgres.ConnectionString;

    public MockKafkaCluster Kafka { get; }

    public KafkaTopics Topics { get; }

    public string Logs { get; }

    public List<Member> Silos { get; } = [];

    public List<Member> ApiNodes { get; } = [];

    public static async Task<ChaosCluster> StartAsync(
        ChaosOptions options, string home, string logs, string receiverUrl, CancellationToken cancellationToken)
    {
        // KeepData: durable settings (fsync on), as in production, so that a crash means something.
        var postgresOptions = new PrivatePostgresOptions { DataDirectory = Path.Combine(home, "pg"), KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(postgresOptions, null, cancellationToken);
        var redis = await RedisProcess.StartAsync(cancellationToken);
        var cluster = new ChaosCluster(postgresOptions, postgres, redis, MockKafkaCluster.Start(brokers: 1), logs, receiverUrl);
        for (var i = 0; i < options.Silos; i++)
        {
            cluster.Silos.Add(new Member($"silo-{i + 1}", NotiflyRole.Worker));
        }

        for (var i = 0; i < options.ApiNodes; i++)
        {
            cluster.ApiNodes.Add(new Member($"api-{i + 1}", NotiflyRole.Api));
        }

        try
        {
            // The first silo alone: it applies the migrations, which the others then find done.
            await cluster.StartAsync(cluster.Silos[0], cancellationToken);
            await Task.WhenAll(cluster.Silos.Skip(1).Select(s => cluster.StartAsync(s, cancellationToken)));
            await Task.WhenAll(cluster.ApiNodes.Select(a => cluster.StartAsync(a, cancellationToken)));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or starts again) a member with fresh ports, and waits until it is ready.</summary>
    public async Task StartAsync(Member member, CancellationToken cancellationToken)
    {
        var siloPort = LoopbackPort.Pick();
        member.Generation++;
        var node = await ChildNode.StartAsync(Settings(member.Role, siloPort), cancellationToken,
            Path.Combine(Logs, $"{member.Name}.{member.Generation}.log"));
        member.Started(node, siloPort);
    }

    /// <summary>SIGKILL: no shutdown, no hand-over.</summary>
    public static async Task KillAsync(Member member, CancellationToken cancellationToken)
    {
        var node = member.Node ?? throw new InvalidOperationException($"{member.Name} is not running");
        member.Killed();
        await node.KillAsync(cancellationToken);
        node.Dispose();
    }

    /// <summary>
    /// The members whose process has ended although nobody killed it (a crash, or a host that
    /// stopped itself), each taken out of the running set as it is found.
    /// </summary>
    public IEnumerable<(Member Member, int ExitCode)> Exited()
    {
        foreach (var member in Silos.Concat(ApiNodes))
        {
            if (member.Node is { Process.HasExited: true } node)
            {
                member.Killed();
                var code = node.Process.ExitCode;
                node.Dispose();
                yield return (member, code);
            }
        }
    }

    /// <summary>PostgreSQL stops as in a crash (no checkpoint) and starts again on the same port after <paramref name="down"/>.</summary>
    public async Task CrashPostgresAsync(TimeSpan down, CancellationToken cancellationToken)
    {
        await _postgres.CrashAsync(cancellationToken);
        await Task.Delay(down, cancellationToken);
        _postgresOptions.Port = _postgres.Port;
        _postgres = await PrivatePostgres.StartAsync(_postgresOptions, null, cancellationToken);
    }

    private Dictionary<string, string?> Settings(NotiflyRole role, int siloPort)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging:LogLevel:Notifly.Grains.Kafka.Ingestion"] = "Information",
            ["ConnectionStrings:Notifly"] = _postgres.ConnectionString,
            ["Notifly:Role"] = role.ToString(),
            ["Notifly:Orleans:Clustering"] = "Redis",
            ["Notifly:Orleans:Redis"] = _redis.Configuration,
            ["Notifly:Orleans:ClusterId"] = _clusterId,
            // Failure detection as a deployment may tune it (docs/0020); Orleans' defaults take about 13 s.
            ["Notifly:Orleans:Membership:ProbeTimeout"] = "00:00:01",
            ["Notifly:Orleans:Membership:NumMissedProbesLimit"] = "2",
            ["Notifly:Operator:Tokens:0"] = OperatorToken,
            ["Notifly:Auth:SigningKeys:0"] = Key,
            ["Notifly:Secrets:Keys:chaos"] = Key,
            ["Notifly:Secrets:ActiveKey"] = "chaos",
            ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "127.0.0.0/8", // the receiver is on loopback
            // The lease outlasts every sender's timeout; a lease a dead silo held is released by the
            // survivors as soon as membership declares it dead, so this bounds only the rare case.
            ["Notifly:Dispatch:Lease"] = "00:00:30",
            ["Notifly:Channels:Webhook:Timeout"] = "00:00:05",
            ["Notifly:Channels:Smtp:Timeout"] = "00:00:05",
            // A deployment that rides out a provider outage of a few minutes: 12 attempts over
            // about 3.5 minutes (1, 2, 4, 8, 16, then 30 s apart) before the dead-letter queue.
            ["Notifly:Retry:MaxAttempts"] = "12",
            ["Notifly:Retry:InitialDelay"] = "00:00:01",
            ["Notifly:Retry:Multiplier"] = "2",
            ["Notifly:Retry:MaxDelay"] = "00:00:30",
            // One tenant sends everything: seed 000's 1000 a minute would throttle the load.
            ["Notifly:RateLimits:DefaultRequestsPerMinute"] = "1000000",
            ["Notifly:RateLimits:DefaultRequestsPerHour"] = "100000000",
            ["Notifly:RateLimits:DefaultBurstLimit"] = "1000000",
            ["Kafka:BootstrapServers"] = Kafka.BootstrapServers,
            ["Kafka:TopicPrefix"] = TopicPrefix,
        };
        if (role == NotiflyRole.Worker)
        {
            settings["Notifly:Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture);
            settings["Notifly:Orleans:GatewayPort"] = LoopbackPort.Pick().ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in ApiNodes.Concat(Silos))
        {
            member.Node?.Dispose();
        }

        Kafka.Dispose();
        _redis.Dispose();
        await _postgres.DisposeAsync();
    }

    /// <summary>The receiver every notification of the run is addressed to.</summary>
    public string ReceiverUrl => _receiverUrl;
}

/// <summary>A silo or api node of the run, across its restarts.</summary>
public sealed class Member(string name, NotiflyRole role)
{
    public string Name { get; } = name;

    public NotiflyRole Role { get; } = role;

    public ChildNode? Node { get; private set; }

    public int Generation { get; set; }

    /// <summary>The silo port of its current (or last) life; a silo's name in <c>reminders.owner</c> is 127.0.0.1:&lt;port&gt;@&lt;generation&gt;.</summary>
    public int SiloPort { get; private set; }

    public bool Alive => Node is not null;

    public string BaseAddress => $"http://127.0.0.1:{Node?.Port.ToString(CultureInfo.InvariantCulture)}";

    public string OwnerPattern => $"%:{SiloPort.ToString(CultureInfo.InvariantCulture)}@%";

    public void Started(ChildNode node, int siloPort)
    {
        Node = node;
        SiloPort = siloPort;
    }

    public void Killed() => Node = null;
}
