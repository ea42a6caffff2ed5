using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>Settings of status webhooks to tenants (<c>Notifly:StatusWebhooks</c>, docs/0017).</summary>
public sealed class StatusWebhookOptions : IValidatableObject
{
    public const string Section = "Notifly:StatusWebhooks";

    /// <summary>The longest per-endpoint timeout a tenant may choose.</summary>
    public const int MaxTimeoutSeconds = 30;

    // Seed 004's WEBHOOK_RETRY_DELAYS: 1 immediate attempt + 3 retries.
    private static readonly TimeSpan[] DefaultRetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)];

    /// <summary>
    /// The wait before each retry; attempts per delivery are one more than its length. Null
    /// means seed 004's 1, 5 and 15 minutes (a default array would be appended to by binding).
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    public IReadOnlyList<TimeSpan> Delays => RetryDelays is { Length: > 0 } delays ? delays : DefaultRetryDelays;

    /// <summary>Each retry delay is moved by up to this fraction either way, so a burst of failures does not retry in lockstep.</summary>
    [Range(0.0, 0.5)]
    public double JitterFraction { get; set; } = 0.1;

    /// <summary>
    /// A receiver's Retry-After may push a retry later than the schedule, but no later than this:
    /// a header asking for a week must not park the delivery for a week.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failed attempts in a row (across deliveries) after which an endpoint is disabled…</summary>
    [Range(1, 100_000)]
    public int DisableAfterFailures { get; set; } = 20;

    /// <summary>
    /// …once its failures have also lasted this long, so a receiver's short outage under heavy
    /// traffic (hundreds of failures in a minute) does not switch it off. Zero: the count alone decides.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan DisableAfterFailingFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a rotated-out secret keeps signing beside the new one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    [Range(1, MaxTimeoutSeconds)]
    public int DefaultTimeoutSeconds { get; set; } = 10;

    /// <summary>Endpoints one tenant may register: every status change fans out to at most this many.</summary>
    [Range(1, 1000)]
    public int MaxEndpointsPerTenant { get; set; } = 20;

    /// <summary>Calls in flight on this node.</summary>
    [Range(1, 10_000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How long a claimed delivery is held before another node may attempt it again.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest sleep between claims without a wake-up (deliveries written on other nodes wait at most this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long deliveries stay listable: the retention job drops a day of them once the day is this
    /// far past and none of it is still pending (migration 0027, docs/0035).
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryDelays?.Any(d => d < TimeSpan.Zero || d > TimeSpan.FromDays(1)) == true)
        {
            yield return new ValidationResult($"{Section}:RetryDelays must each be between 0 and 1 day.");
        }

        if (RetryDelays is { Length: > 20 })
        {
            yield return new ValidationResult($"{Section}:RetryDelays may list at most 20 delays.");
        }

        if (Lease <= TimeSpan.FromSeconds(MaxTimeoutSeconds))
        {
            // A call may take up to the longest endpoint timeout; a shorter lease would let
            // another node send the same delivery while the first call is still running.
            yield return new ValidationResult($"{Section}:Lease ({Lease}) must be longer than the longest endpoint timeout ({MaxTimeoutSeconds} s).");
        }
    }
}
