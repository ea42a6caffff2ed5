using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>Ingestion from <c>notification.requested</c> (<c>Kafka:Ingestion</c>).</summary>
public sealed class KafkaIngestionOptions
{
    public const string Section = "Kafka:Ingestion";

    /// <summary>Off: this node does not consume (another node, or another service, does).</summary>
    public bool Enabled { get; set; } = true;

    [Required(AllowEmptyStrings = false, ErrorMessage = "Kafka:Ingestion:ConsumerGroup is required.")]
    public string ConsumerGroup { get; set; } = "notifly-ingest";

    /// <summary>Most messages written in one PostgreSQL transaction. Big batches are what make 20k/s possible.</summary>
    [Range(1, 10_000, ErrorMessage = "Kafka:Ingestion:MaxBatchSize must be 1–10000.")]
    public int MaxBatchSize { get; set; } = 2000;

    /// <summary>
    /// Batches written at once, each in its own transaction (and PostgreSQL backend). Offsets are
    /// still stored in order: a batch's only after every earlier batch finished.
    /// </summary>
    [Range(1, 8, ErrorMessage = "Kafka:Ingestion:MaxWritesInFlight must be 1–8.")]
    public int MaxWritesInFlight { get; set; } = 2;

    /// <summary>How long to keep collecting after the first message of a batch; what is already fetched is always taken.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05", ErrorMessage = "Kafka:Ingestion:MaxBatchWait must be 0–5 s.")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>First pause before retrying a batch whose write or dead-lettering failed; doubles up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "Kafka:Ingestion:RetryInitialDelay must be 1 ms–1 min.")]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00", ErrorMessage = "Kafka:Ingestion:RetryMaxDelay must be 1 ms–5 min.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);
}
