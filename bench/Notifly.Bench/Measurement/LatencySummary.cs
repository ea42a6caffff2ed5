namespace Notifly.Bench.Measurement;

/// <summary>Percentiles in milliseconds, nearest-rank (every value reported is one that was observed).</summary>
public sealed record LatencySummary(long Count, double Mean, double P50, double P95, double P99, double P999, double Max, long Dropped)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Sorts <paramref name="ticks"/> (TimeSpan ticks) in place.</summary>
    public static LatencySummary Of(Span<long> ticks, long dropped = 0)
    {
        if (ticks.IsEmpty)
        {
            return Empty with { Dropped = dropped };
        }

        ticks.Sort();
        double sum = 0;
        foreach (var t in ticks)
        {
            sum += t;
        }

        return new LatencySummary(
            ticks.Length,
            Milliseconds(sum / ticks.Length),
            Milliseconds(Percentile(ticks, 50)),
            Milliseconds(Percentile(ticks, 95)),
            Milliseconds(Percentile(ticks, 99)),
            Milliseconds(Percentile(ticks, 99.9)),
            Milliseconds(ticks[^1]),
            dropped);
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public static long Percentile(ReadOnlySpan<long> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("no samples", nameof(sorted));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        // The epsilon keeps 99.9% of 1000 at rank 999: in binary, 0.999 * 1000 is a hair above 999.
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length - 1e-9);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    private static double Milliseconds(double ticks) => ticks / TimeSpan.TicksPerMillisecond;
}
