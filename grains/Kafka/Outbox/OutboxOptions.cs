using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Kafka.Outbox;

/// <summary>Settings of the outbox relay (<c>Kafka:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Kafka:Outbox";

    /// <summary>Rows claimed, published and marked sent per transaction.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// Longest sleep between claims without a wake-up. This node's commits wake the relay at
    /// once; rows written by other nodes (API-only replicas) wait at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// librdkafka's <c>message.timeout.ms</c>: how long a produce may wait for the brokers before it
    /// fails. A failed batch stays in the outbox and is retried, so during an outage the relay
    /// holds one batch at most this long, then backs off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest pause between attempts while publishing fails (it doubles from 100 ms up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long published rows are kept, marked sent (for inspection), before the relay deletes them.
    /// Zero, the default, deletes each row as it is published: the cheapest for PostgreSQL (docs/0005).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;
}
