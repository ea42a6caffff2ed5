using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Tenants;

/// <summary>How nodes watch the tenants whose settings they cache (<c>Notifly:Tenants</c>, docs/0021).</summary>
public sealed class TenantWatchOptions
{
    public const string Section = "Notifly:Tenants";

    /// <summary>
    /// How often a node renews its subscription to each tenant grain it watches. A tenant grain
    /// forgets a node that has not renewed for four of these; a change a node missed (its tenant
    /// grain moved to another silo, a notification lost) is noticed at the next renewal.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan WatchRenewal { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A tenant this node has not loaded, leased for or checked a key of for this long is no
    /// longer watched, and its cached settings are dropped: renewals cost one grain call per watched
    /// tenant, so a node that served many tenants once does not renew them all for ever. The next
    /// use subscribes again before it reloads.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WatchIdle { get; set; } = TimeSpan.FromMinutes(10);
}
