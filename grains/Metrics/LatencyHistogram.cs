namespace Notifly.Grains.Metrics;

/// <summary>
/// Provider latency as the hourly rollups keep it (migration 0022's <c>notifly_latency_bucket</c>):
/// eight buckets per doubling of <c>latency + 1</c> ms, so any quantile read from it lies within
/// 9 % of the exact one, and buckets from many hours and channels add up by plain addition.
/// </summary>
public sealed class LatencyHistogram
{
    private const double BucketsPerDoubling = 8;
    private readonly SortedDictionary<int, long> _counts = [];
    private long _sumMs;

    public long Count { get; private set; }

    /// <summary>Adds <paramref name="attempts"/> attempts of bucket <paramref name="bucket"/> whose latencies sum to <paramref name="sumMs"/>.</summary>
    public void Add(int bucket, long attempts, long sumMs)
    {
        if (bucket < 0 || attempts <= 0)
        {
            return; // no latency was measured (the request never reached the provider)
        }

        _counts[bucket] = _counts.GetValueOrDefault(bucket) + attempts;
        Count += attempts;
        _sumMs += sumMs;
    }

    public void Add(LatencyHistogram other)
    {
        foreach (var (bucket, count) in other._counts)
        {
            _counts[bucket] = _counts.GetValueOrDefault(bucket) + count;
        }

        Count += other.Count;
        _sumMs += other._sumMs;
    }

    /// <summary>The exact mean; null without measurements.</summary>
    public double? AverageMs => Count == 0 ? null : Math.Round((double)_sumMs / Count, 1);

    /// <summary>
    /// The <paramref name="quantile"/> (0–1), interpolated inside the bucket that holds its rank;
    /// null without measurements.
    /// </summary>
    public double? QuantileMs(double quantile)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long below = 0;
        foreach (var (bucket, count) in _counts)
        {
            if (below + count >= rank)
            {
                var lower = LowerBoundMs(bucket);
                var upper = LowerBoundMs(bucket + 1);
                return Math.Round(lower + ((upper - lower) * (rank - below) / count), 1);
            }

            below += count;
        }

        throw new InvalidOperationException("unreachable: the ranks add up to Count");
    }

    /// <summary>The smallest latency bucket <paramref name="bucket"/> holds (the inverse of <c>notifly_latency_bucket</c>).</summary>
    public static double LowerBoundMs(int bucket) => Math.Pow(2, bucket / BucketsPerDoubling) - 1;
}
