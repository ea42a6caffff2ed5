using Notifly.Bench.Measurement;

namespace Notifly.Bench.Reporting;

/// <summary>
/// One measured phase. <see cref="Latency"/> is per request in the HTTP phases and per batch
/// commit in the database phases (<see cref="LatencyOf"/>).
/// </summary>
public sealed record PhaseResult(
    string Name,
    string Title,
    string Unit,
    double PerSecond,
    long Ok,
    string LatencyOf,
    LatencySummary Latency,
    IReadOnlyDictionary<string, long> Errors,
    CpuUse Cpu,
    IReadOnlyDictionary<string, string> Details)
{
    public long ErrorCount => Errors.Values.Sum();
}
