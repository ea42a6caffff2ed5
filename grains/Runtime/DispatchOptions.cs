using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Runtime;

/// <summary>Settings of the reminder service (<c>Notifly:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>
    /// False makes a silo that hosts grains (tenants' rate limits and settings for the api nodes)
    /// but delivers nothing: no reminder service, no status-webhook dispatcher (docs/0021).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Reminders claimed per transaction.</summary>
    [Range(1, 10_000)]
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>Provider calls in flight on this node, all channels together.</summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 512;

    /// <summary>
    /// Share of <see cref="MaxInFlight"/> that normal- and low-priority attempts may not use, so
    /// instant and high ones find a free slot even when a bulk backlog fills the rest.
    /// </summary>
    [Range(0.0, 0.9)]
    public double ReservedForHighPriority { get; set; } = 0.2;

    /// <summary>
    /// Reminders one claim may take from one tenant at one priority, when many queues share the
    /// claim (with few, each may take an even split of <see cref="ClaimBatchSize"/>): a tenant with
    /// a million queued notifications gets its share while every other tenant's due ones are
    /// claimed beside them, and round-robin ordering decides who gets free slots first.
    /// </summary>
    [Range(1, 10_000)]
    public int FairShare { get; set; } = 32;

    /// <summary>Attempts of normal and low priority this node may run at once.</summary>
    public int MaxBulkInFlight => Math.Max(1, (int)(MaxInFlight * (1 - ReservedForHighPriority)));

    /// <summary>
    /// How long an attempt may run before another node may take it over. Must exceed every
    /// sender's timeout, or a slow but healthy attempt gets duplicated.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest sleep between claims when no LISTEN/NOTIFY wake-up arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a stopping node lets in-flight attempts finish before abandoning them to their leases.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
