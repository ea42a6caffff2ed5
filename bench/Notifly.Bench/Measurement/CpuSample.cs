namespace Notifly.Bench.Measurement;

/// <summary>
/// Cumulative CPU seconds at one instant, per party sharing the machine, and the machine's idle
/// and steal time summed over its <paramref name="Cores"/>.
/// </summary>
public sealed record CpuSample(
    double WallSeconds, int Cores, double Bench, double LoadGenerator, double Postgres, double Idle, double Steal)
{
    /// <summary>PostgreSQL's own counters at the same instant, with <c>--pg-stats on</c>.</summary>
    public PgSnapshot? Pg { get; init; }

    public CpuUse Since(CpuSample start)
    {
        var wall = WallSeconds - start.WallSeconds;
        double Cores(double end, double begin) => wall > 0 ? Math.Round((end - begin) / wall, 3) : 0;
        var bench = Cores(Bench, start.Bench);
        var load = Cores(LoadGenerator, start.LoadGenerator);
        var postgres = Cores(Postgres, start.Postgres);
        var steal = Cores(Steal, start.Steal);
        // Busy as "not idle": the kernel accounts idle time exactly, while its busy counters are
        // sampled at the tick, which a tickless kernel skips during the short bursts of a partly
        // loaded machine (at 5,000 requests/s they showed half the CPU the processes had used).
        var machine = wall > 0 ? Math.Round(Math.Max(0, this.Cores - (Idle - start.Idle) / wall - steal), 3) : 0;
        return new CpuUse(Math.Round(wall, 3), bench, load, postgres, Math.Round(Math.Max(0, machine - bench - load - postgres), 3), machine, steal)
        {
            Pg = Pg is not null && start.Pg is not null ? Pg.Since(start.Pg) : null,
        };
    }
}
