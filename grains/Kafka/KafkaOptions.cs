namespace Notifly.Grains.Kafka;

/// <summary>
/// Section <c>Kafka</c>. Without <see cref="BootstrapServers"/> Kafka is off (no ingestion, no
/// status streams) — except in single-node mode, which starts an in-memory mock cluster.
/// SASL/TLS: the typed settings below, or any librdkafka property under <c>Kafka:Properties</c>.
/// </summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary><c>host:port[,host:port…]</c>; empty turns Kafka off.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>Prepended to every topic name (e.g. <c>prod.</c>), so clusters can be shared.</summary>
    public string TopicPrefix { get; set; } = "";

    /// <summary><c>plaintext</c>, <c>ssl</c>, <c>sasl_plaintext</c> or <c>sasl_ssl</c>.</summary>
    public string? SecurityProtocol { get; set; }

    /// <summary><c>PLAIN</c>, <c>SCRAM-SHA-256</c>, <c>SCRAM-SHA-512</c>, …</summary>
    public string? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>CA bundle for verifying the brokers' certificates.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>Raw librdkafka properties (e.g. <c>Kafka:Properties:client.rack</c>); applied last, so they win.</summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(BootstrapServers);
}
