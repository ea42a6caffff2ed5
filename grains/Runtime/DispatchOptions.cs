using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Runtime;

/// <summary>Settings of the reminder service (<c>Notifly:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    /// <summary>Reminders claimed per transaction.</summary>
    [Range(1, 10_000)]
    public int ClaimBatchSize { get; set; } = 256;

    /// <summary>Provider calls in flight on this node, all channels together.</summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 512;

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
