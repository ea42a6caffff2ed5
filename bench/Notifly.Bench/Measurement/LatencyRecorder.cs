namespace Notifly.Bench.Measurement;

/// <summary>
/// Exact latencies: one preallocated slot per request, sorted once at the end. The capacity
/// bounds memory; samples past it are counted as dropped rather than silently lost, so a report
/// built from a truncated sample says so.
/// </summary>
public sealed class LatencyRecorder
{
    private readonly long[] _ticks;
    private int _next;
    private long _dropped;

    public LatencyRecorder(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ticks = new long[capacity];
    }

    public int Count => Math.Min(Volatile.Read(ref _next), _ticks.Length);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Safe from any number of threads at once.</summary>
    public void Record(TimeSpan latency)
    {
        var slot = Interlocked.Increment(ref _next) - 1;
        if (slot < _ticks.Length)
        {
            _ticks[slot] = latency.Ticks;
        }
        else
        {
            Interlocked.Increment(ref _dropped);
            Interlocked.Decrement(ref _next); // keeps the counter from ever wrapping, however long the run
        }
    }

    /// <summary>Call once recording has stopped.</summary>
    public LatencySummary Summarize() => LatencySummary.Of(_ticks.AsSpan(0, Count), Dropped);
}
