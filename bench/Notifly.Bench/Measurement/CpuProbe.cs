using System.Diagnostics;
using System.Globalization;

namespace Notifly.Bench.Measurement;

/// <summary>
/// Reads CPU time of this process and the Notifly nodes it started as children (counted together
/// as Notifly), the load generator child, the PostgreSQL server (postmaster,
/// its live backends, and what it reaped from exited ones) and the whole machine, from /proc;
/// with <paramref name="pg"/> (<c>--pg-stats on</c>) also what PostgreSQL did, at the same instants.
/// </summary>
public sealed class CpuProbe(int postmasterId, PgProbe? pg = null)
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    public CpuSample Sample(Process? loadGenerator)
    {
        using var self = Process.GetCurrentProcess();
        var load = 0.0;
        if (loadGenerator is not null && ProcStat.TryRead(loadGenerator.Id) is { } child)
        {
            load = child.OwnTicks / ProcStat.TicksPerSecond;
        }

        var (idle, steal) = MachineTicks();
        var database = pg?.Sample();
        return new CpuSample(
            Stopwatch.GetElapsedTime(_origin).TotalSeconds,
            Environment.ProcessorCount,
            self.TotalProcessorTime.TotalSeconds + Hosting.ChildNode.LiveTicks() / ProcStat.TicksPerSecond,
            load,
            PostgresTicks() / ProcStat.TicksPerSecond,
            idle / ProcStat.TicksPerSecond,
            steal / ProcStat.TicksPerSecond)
        {
            Pg = database,
        };
    }

    private long PostgresTicks()
    {
        if (ProcStat.TryRead(postmasterId) is not { } postmaster)
        {
            return 0;
        }

        var total = postmaster.OwnTicks + postmaster.ReapedChildrenTicks;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.TryRead(pid) is { } stat && stat.ParentId == postmasterId)
            {
                total += stat.OwnTicks;
            }
        }

        return total;
    }

    /// <summary>Idle (with iowait) and steal over all CPUs: the first line of /proc/stat.</summary>
    private static (long Idle, long Steal) MachineTicks()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        // cpu user nice system idle iowait irq softirq steal
        return (Field(4) + Field(5), Field(8));
    }

    /// <summary>The postmaster's pid: the first line of postmaster.pid in the data directory.</summary>
    public static int PostmasterId(string dataDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
}
