using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Notifly.Grains.Kafka;

/// <summary>Client configurations built from <see cref="KafkaOptions"/>: one place for connection and security settings.</summary>
public sealed class KafkaClients
{
    private readonly KafkaOptions _options;

    public KafkaClients(IOptions<KafkaOptions> options)
    {
        _options = options.Value;
        Topics = new KafkaTopics(_options.TopicPrefix);
    }

    public bool Enabled => _options.Enabled;

    public KafkaTopics Topics { get; }

    /// <summary>
    /// Idempotent producer (acks=all, no duplicates or reordering on internal retries): per
    /// partition, messages land in the order they were produced.
    /// </summary>
    public ProducerConfig Producer(string clientId) => Apply(new ProducerConfig
    {
        ClientId = clientId,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
    });

    public ConsumerConfig Consumer(string clientId, string groupId) => Apply(new ConsumerConfig
    {
        ClientId = clientId,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,

        // A broker answers a fetch within fetch.wait.max.ms (500 ms). One that has not answered in
        // 10 s is gone: give up on the request and reconnect, instead of stalling ingestion for
        // librdkafka's default 60 s (seen when brokers went down and came back with a fetch in
        // flight). Group joins keep their own, longer timeout. Kafka:Properties can override it.
        SocketTimeoutMs = 10_000,

        // A node that dies without leaving (SIGKILL, a lost pod) holds its partitions until the
        // group gives up on it: 10 s rather than Kafka's 45, with a heartbeat every 3 s. And a
        // node joining or leaving moves only the partitions that change owner (cooperative
        // rebalancing), instead of stopping every node's ingestion until all have rejoined: a
        // chaos run with a restart every half minute saw requests wait over 100 s without these.
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 3_000,
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
    });

    private T Apply<T>(T config) where T : ClientConfig
    {
        config.BootstrapServers = _options.BootstrapServers
            ?? throw new InvalidOperationException("Kafka:BootstrapServers is not set");
        if (_options.SecurityProtocol is { } protocol)
        {
            config.Set("security.protocol", protocol);
        }

        if (_options.SaslMechanism is { } mechanism)
        {
            config.Set("sasl.mechanism", mechanism);
        }

        config.SaslUsername = _options.SaslUsername ?? config.SaslUsername;
        config.SaslPassword = _options.SaslPassword ?? config.SaslPassword;
        config.SslCaLocation = _options.SslCaLocation ?? config.SslCaLocation;
        foreach (var (key, value) in _options.Properties)
        {
            config.Set(key, value);
        }

        return config;
    }
}
