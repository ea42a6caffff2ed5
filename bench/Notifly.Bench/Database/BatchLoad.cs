using System.Diagnostics;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Database;

/// <summary>
/// A fixed number of writers, each committing batch after batch, the way IntakeWriter's writers do
/// under saturation; bounded by time and by a batch count. Counts rows whose commit ended inside
/// the window.
/// </summary>
public static class BatchLoad
{
    private const int MaxBatchesPerSecond = 100_000;

    public static async Task<(long Rows, long Batches, LatencySummary CommitLatency)> RunAsync(
        int writers, Func<CancellationToken, Task<int>> writeBatch, TimeSpan warmup, TimeSpan duration,
        Action onWindowStart, Action onWindowEnd, CancellationToken cancellationToken)
    {
        var from = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var to = from + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var maxBatches = (long)(MaxBatchesPerSecond * (warmup + duration).TotalSeconds);
        var latency = new LatencyRecorder((int)Math.Max(1, MaxBatchesPerSecond * duration.TotalSeconds));
        long rows = 0, batches = 0, issued = 0;
        var window = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(from, Stopwatch.GetTimestamp())), cancellationToken);
            onWindowStart();
            await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(to, Stopwatch.GetTimestamp())), cancellationToken);
            onWindowEnd();
        }, cancellationToken);
        var loops = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < to && Interlocked.Increment(ref issued) <= maxBatches)
            {
                var begin = Stopwatch.GetTimestamp();
                var written = await writeBatch(cancellationToken);
                var end = Stopwatch.GetTimestamp();
                if (end >= from && end < to)
                {
                    Interlocked.Add(ref rows, written);
                    Interlocked.Increment(ref batches);
                    latency.Record(Stopwatch.GetElapsedTime(begin, end));
                }
            }
        }, cancellationToken));
        await Task.WhenAll(loops);
        await window;
        return (rows, batches, latency.Summarize());
    }
}
