namespace Notifly.Grains.Notifications;

/// <summary>
/// Seed 000's exponential backoff: attempt 1 is immediate; after the k-th failure the next
/// attempt waits <c>min(initial × multiplier^(k-1), max)</c>, plus up to
/// <see cref="JitterFraction"/> of that so that a burst of failures does not retry in lockstep.
/// <see cref="Ttl"/>: the tenant's time-to-live for the event type, which gives a request naming
/// no expiresAt one (docs/0033).
/// </summary>
public sealed record RetryPolicy(
    int MaxAttempts,
    TimeSpan InitialDelay,
    double Multiplier,
    TimeSpan MaxDelay,
    double JitterFraction = 0.2,
    TimeSpan? Ttl = null)
{
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(1000), 1.5, TimeSpan.FromSeconds(60));

    /// <param name="failures">Failed attempts so far in this round (1 after the first failure).</param>
    /// <param name="jitter">A sample in [0, 1); 0 gives the seed's exact figures.</param>
    public TimeSpan DelayAfter(int failures, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var baseMs = Math.Min(InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, failures - 1), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(baseMs * (1 + (JitterFraction * Math.Clamp(jitter, 0, 1))));
    }
}
