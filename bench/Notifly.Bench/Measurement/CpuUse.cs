namespace Notifly.Bench.Measurement;

/// <summary>
/// Average cores busy over a window. <see cref="Bench"/> is this process: the Notifly server in the
/// HTTP phases, the writer loop (our code plus Npgsql) in the database phases. Kernel work done on a
/// process's behalf, loopback TCP included, is in that process's figure. <see cref="OtherProcesses"/>
/// is the rest of the machine's busy time: kernel threads and whatever else runs on the box, which
/// contaminates the figures when it is not near zero. <see cref="Steal"/> (time the hypervisor gave
/// to other guests) is not counted as busy.
/// </summary>
public sealed record CpuUse(
    double Seconds, double Bench, double LoadGenerator, double Postgres, double OtherProcesses, double Machine, double Steal)
{
    /// <summary>What PostgreSQL did over the window, with <c>--pg-stats on</c>.</summary>
    public PgWindow? Pg { get; init; }

    /// <summary>CPU microseconds per item, for one party's cores.</summary>
    public double MicrosecondsPer(double cores, long items) => items > 0 ? Math.Round(cores * Seconds * 1e6 / items, 1) : 0;
}
