using System.Diagnostics;
using System.Globalization;

namespace Notifly.Bench.Measurement;

/// <summary>
/// This process's memory over a window, sampled every 250 ms: the GC heap as of the last
/// collection, and the resident set. At the end, a full blocking collection gives what is still
/// alive. Everything in the process counts: the Notifly nodes, the delivery receiver, the benchmark.
/// </summary>
public sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _sampling;
    private long _heapMax;
    private long _rssMax;
    private long _heapSum;
    private int _samples;
    private int _gen0Start;
    private int _gen2Start;
    private long _allocatedStart;
    private TimeSpan _pausedStart;

    public void Start()
    {
        _gen0Start = GC.CollectionCount(0);
        _gen2Start = GC.CollectionCount(2);
        _allocatedStart = GC.GetTotalAllocatedBytes();
        _pausedStart = GC.GetTotalPauseDuration();
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            using var process = Process.GetCurrentProcess();
            try
            {
                do
                {
                    var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
                    process.Refresh();
                    _heapMax = Math.Max(_heapMax, heap);
                    _rssMax = Math.Max(_rssMax, process.WorkingSet64);
                    _heapSum += heap;
                    _samples++;
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public MemoryUse Stop()
    {
        _stop.Cancel();
        _sampling?.GetAwaiter().GetResult();
        var gen0 = GC.CollectionCount(0) - _gen0Start;
        var gen2 = GC.CollectionCount(2) - _gen2Start;
        var allocated = GC.GetTotalAllocatedBytes() - _allocatedStart;
        var paused = GC.GetTotalPauseDuration() - _pausedStart;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return new MemoryUse(_samples == 0 ? 0 : _heapSum / _samples, _heapMax, GC.GetTotalMemory(false), _rssMax, gen0, gen2, allocated, paused);
    }

    public void Dispose() => _stop.Dispose();
}

/// <summary>What <see cref="MemorySampler"/> saw; bytes.</summary>
public sealed record MemoryUse(
    long HeapMean, long HeapMax, long LiveAfter, long RssMax, int Gen0Collections, int Gen2Collections, long Allocated, TimeSpan Paused)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"GC heap mean {Mb(HeapMean)}, max {Mb(HeapMax)}, alive after a full collection at the end {Mb(LiveAfter)}; RSS max {Mb(RssMax)}; {Gen0Collections} collections ({Gen2Collections} gen-2), paused {Paused.TotalMilliseconds:N0} ms");

    /// <summary>Bytes this process allocated per item over the window.</summary>
    public string AllocatedPer(long items) => string.Create(CultureInfo.InvariantCulture,
        $"{Allocated / (double)Math.Max(1, items):N0} bytes per item ({Mb(Allocated)} in all), every thread of the process");

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:N0} MB");
}
