using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Notifications;

/// <summary>Deployment-wide retry defaults (<c>Notifly:Retry</c>), seed 000's figures.</summary>
public sealed class RetryOptions
{
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(1000);

    [Range(1.0, 10.0)]
    public double Multiplier { get; set; } = 1.5;

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    [Range(0.0, 1.0)]
    public double JitterFraction { get; set; } = 0.2;

    public RetryPolicy ToPolicy() => new(MaxAttempts, InitialDelay, Multiplier, MaxDelay, JitterFraction);
}
