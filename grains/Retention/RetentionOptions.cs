using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Retention;

/// <summary>Settings of the retention job (<c>Notifly:Retention</c>, docs/0035).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Notifly:Retention";

    /// <summary>
    /// How long notifications are kept, with their events, attempt logs, outbox rows, idempotency
    /// keys and dead letters. A day of them is dropped once the day is this far past and every
    /// notification of it is final. Status-webhook deliveries follow <c>Notifly:StatusWebhooks:Retention</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Notifications { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How many days of partitions are kept ready ahead of today.</summary>
    [Range(2, 60)]
    public int DaysAhead { get; set; } = 7;

    /// <summary>How often the job runs (on one node at a time).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
