using Notifly.Bench.Measurement;

namespace Notifly.Bench.Load;

/// <summary>
/// What the load generator saw in its measurement window. <see cref="Ok"/> counts 2xx answers that
/// arrived inside the window; <see cref="Latency"/> and <see cref="Errors"/> cover the requests
/// answered in the window (closed loop) or scheduled in it (open loop);
/// <see cref="TotalOk"/> counts them over the whole run, warm-up and tail included, so that the
/// caller can check every accepted notification against the database.
/// </summary>
public sealed record LoadResult(
    double Seconds,
    long Completed,
    long Ok,
    long TotalOk,
    IReadOnlyDictionary<string, long> Errors,
    LatencySummary Latency,
    LatencySummary? SendLag,
    long Scheduled,
    long Unfinished);
