using Confluent.Kafka;
using Notifly.Grains.Intake;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>A batch parsed and validated, and once started, its write.</summary>
public sealed class PreparedBatch(List<ConsumeResult<byte[], byte[]>> batch)
{
    public List<ConsumeResult<byte[], byte[]>> Batch { get; } = batch;

    public List<IntakeItem> Items { get; } = new(batch.Count);

    public List<(int Index, ParsedRequest Parsed)> Sources { get; } = new(batch.Count);

    public List<DeadLetter> DeadLetters { get; } = [];

    /// <summary>Messages that need a recipient profile or a template before they can join <see cref="Items"/>.</summary>
    public List<(int Index, ParsedRequest Parsed)> Enrich { get; } = [];

    /// <summary><see cref="Enrich"/> has been worked off into Items, Sources and DeadLetters (once, whatever the retries).</summary>
    public bool Enriched { get; set; }

    public Task<IntakeOutcome[]>? Write { get; set; }

    /// <summary>The rate limiter has charged this batch and moved its over-limit requests' sendAt.</summary>
    public bool Scheduled { get; set; }
}
