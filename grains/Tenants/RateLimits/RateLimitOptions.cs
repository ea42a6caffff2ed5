using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>Rate limiting settings (<c>Notifly:RateLimits</c>), docs/0006.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Notifly:RateLimits";

    /// <summary>Per-minute refill for tenants that set no limits of their own (seed 000: 1000).</summary>
    [Range(1, int.MaxValue)]
    public int DefaultRequestsPerMinute { get; set; } = 1000;

    /// <summary>Hourly budget for tenants that set no limits of their own (seed 000: 50,000).</summary>
    [Range(1, int.MaxValue)]
    public int DefaultRequestsPerHour { get; set; } = 50_000;

    /// <summary>Minute bucket capacity for tenants that set no limits of their own (seed 000: 5000).</summary>
    [Range(1, int.MaxValue)]
    public int DefaultBurstLimit { get; set; } = 5000;

    /// <summary>
    /// Most tokens a node leases at once (the block is a twentieth of the tenant's smallest limit,
    /// at most this). Over-admission is bounded by block × nodes; a bigger block means fewer
    /// writes to the bucket row for a hot tenant.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxLeaseBlock { get; set; } = 50;

    /// <summary>How long a node may spend leased tokens; what is left then is dropped, not returned.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromSeconds(1);
}
