using System.Globalization;
using System.Text;
using Notifly.Bench.Measurement;
using Notifly.Bench.Phases;

namespace Notifly.Bench.Reporting;

/// <summary>The report as a markdown fragment: printed at the end of a run and saved next to the JSON.</summary>
public static class Markdown
{
    private const double TargetRate = 10_000;
    private const double TargetP99Milliseconds = 50;
    private const double TargetKafkaRate = 20_000;
    private const double NoiseCores = 0.1;

    public static string Render(BenchReport report)
    {
        var m = report.Machine;
        var o = report.Options;
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"### Notifly benchmark, {report.StartedAt:yyyy-MM-dd HH:mm} UTC (run {report.RunId})");
        Line($"");
        Line($"- Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB} GiB, {m.Os}; {m.Runtime}, Server GC {(m.ServerGc ? "on" : "off")} (load generator: off)");
        Line($"- {m.Postgres}: {string.Join(", ", m.PostgresSettings.Select(kv => $"{kv.Key}={kv.Value}"))}");
        Line($"- Role {o.Role}; first {o.JitWarmupSeconds} s of unmeasured intake load for the JIT (averaged {report.JitWarmupPerSecond:N0} accepted/s){(report.ChildQuietSeconds > 0 ? $", then {report.ChildQuietSeconds:N0} s until the child nodes were quiet (their JIT done)" : "")}, then per phase {o.WarmupSeconds} s warm-up and {o.DurationSeconds} s measured; {o.Connections} HTTP/1.1 connections; fixed rate {o.Rate}/s; intake: {report.IntakeWriters} writers, batches of up to {report.IntakeMaxBatchSize}{(o.RawVariant == Database.RawVariant.AsIs ? "" : $"; pg-raw phases use the {o.RawVariant} variant of the statement")}{(o.Settings.Count == 0 ? "" : "; settings: " + string.Join(", ", o.Settings.Select(kv => $"{kv.Key}={kv.Value}")))}");
        Line($"- The load generator (a child process), Notifly and PostgreSQL share these {m.Cores} cores; \"cores\" below is each one's average use over the window (\"Notifly\" is this process, the server in the HTTP phases and the writer loop in the pg-* phases, with the Notifly nodes it starts as child processes), \"other\" is the machine's busy time outside them (kernel threads, anything else running: near 0 on a quiet machine), \"machine\" all of it (out of {m.Cores}). Kernel work on a process's behalf, loopback TCP included, counts as that process's.");
        var busiest = report.Phases.MaxBy(p => p.Cpu.OtherProcesses);
        if (busiest is { Cpu.OtherProcesses: > NoiseCores })
        {
            Line($"- **Not a clean run**: other processes used up to {busiest.Cpu.OtherProcesses:0.00} cores (in {busiest.Name}); the figures are lower than this machine's own.");
        }

        Line($"");
        Line($"| Phase | Throughput | Latency of | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | Errors | Cores: Notifly / load gen / PG / other / machine |");
        Line($"|---|---:|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var p in report.Phases)
        {
            var l = p.Latency;
            var errors = p.ErrorCount == 0 ? "0" : string.Join(", ", p.Errors.Select(e => $"{e.Key}: {e.Value}"));
            Line($"| {p.Name} | {p.PerSecond:N0} {p.Unit} | {p.LatencyOf} | {l.P50:0.00} | {l.P95:0.00} | {l.P99:0.00} | {l.P999:0.00} | {l.Max:0.00} | {errors} | {p.Cpu.Bench:0.00} / {p.Cpu.LoadGenerator:0.00} / {p.Cpu.Postgres:0.00} / {p.Cpu.OtherProcesses:0.00} / {p.Cpu.Machine:0.00} |");
        }

        Line($"");
        Line($"CPU time per item (µs of one core; \"machine\" is everything busy, divided by items; at most {m.Cores} × 1,000,000 / throughput):");
        Line($"");
        Line($"| Phase | Notifly | load gen | PostgreSQL | machine |");
        Line($"|---|---:|---:|---:|---:|");
        foreach (var p in report.Phases)
        {
            var c = p.Cpu;
            Line($"| {p.Name} | {c.MicrosecondsPer(c.Bench, p.Ok)} | {c.MicrosecondsPer(c.LoadGenerator, p.Ok)} | {c.MicrosecondsPer(c.Postgres, p.Ok)} | {c.MicrosecondsPer(c.Machine, p.Ok)} |");
        }

        if (report.Ratios.Count > 0)
        {
            Line($"");
            Line($"Ratios (same run):");
            Line($"");
            foreach (var (name, ratio) in report.Ratios)
            {
                Line($"- {name}: {ratio:0.000}");
            }
        }

        Line($"");
        Line($"Targets (ARCHITECTURE.md §7):");
        Line($"");
        if (report.Phase(PhaseNames.IntakeMax) is { } max)
        {
            Line($"- REST intake ≥ {TargetRate:N0} accepted/s: {max.PerSecond:N0}/s, {(max.PerSecond >= TargetRate ? "met" : "NOT met")} ({max.PerSecond / TargetRate:P0} of target)");
        }

        if (report.Phase(PhaseNames.IntakeRate) is { } rate)
        {
            var kept = rate.PerSecond >= 0.99 * o.Rate && rate.ErrorCount == 0;
            var met = kept && rate.Latency.P99 < TargetP99Milliseconds && o.Rate >= 5000;
            Line($"- p99 accept latency < {TargetP99Milliseconds} ms at 5,000/s: p99 {rate.Latency.P99:0.0} ms at {rate.PerSecond:N0}/s achieved of {o.Rate}/s scheduled, {rate.ErrorCount} errors: {(met ? "met" : o.Rate < 5000 ? "not measured at 5,000/s" : "NOT met")}");
        }

        if (report.Phase(PhaseNames.KafkaIntake) is { } kafka)
        {
            Line($"- Kafka intake ≥ {TargetKafkaRate:N0} requests/s to durable: {kafka.PerSecond:N0}/s, {(kafka.PerSecond >= TargetKafkaRate && kafka.ErrorCount == 0 ? "met" : "NOT met")} ({kafka.PerSecond / TargetKafkaRate:P0} of target)");
        }

        if (report.Phase(PhaseNames.DispatchPriority) is { } urgent)
        {
            var met = urgent.Latency.P99 < 1000 && urgent.ErrorCount == 0 && urgent.PerSecond >= 0.99 * DispatchPhases.Rate;
            Line($"- High-priority p99 < 1 s at {DispatchPhases.Rate:N0}/s with a low-priority backlog: p99 {urgent.Latency.P99:N0} ms at {urgent.PerSecond:N0}/s delivered, {urgent.ErrorCount} errors: {(met ? "met" : "NOT met")}");
        }

        Line($"");
        Line($"Details:");
        Line($"");
        foreach (var p in report.Phases)
        {
            Line($"- **{p.Name}**: {p.Title}");
            foreach (var (key, value) in p.Details)
            {
                Line($"  - {key}: {value}");
            }
        }

        RenderPostgres(report, s);
        return s.ToString();
    }

    /// <summary>With <c>--pg-stats on</c>: per item, what PostgreSQL did in each phase's window.</summary>
    private static void RenderPostgres(BenchReport report, StringBuilder s)
    {
        void Line(FormattableString text) => s.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        const int Top = 12;
        foreach (var p in report.Phases)
        {
            if (p.Cpu.Pg is not { } pg || p.Ok <= 0)
            {
                continue;
            }

            double Per(double total) => total / p.Ok;
            var cpu = string.Join(", ", pg.ProcessSeconds.Where(kv => kv.Value != 0).OrderByDescending(kv => kv.Value)
                .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {Per(kv.Value * 1e6):0.0}")));
            Line($"");
            Line($"PostgreSQL in **{p.Name}**, per item ({p.Ok:N0} items): WAL {Per(pg.WalBytes):N0} bytes; CPU µs: {cpu}");
            Line($"");
            Line($"| Statement (pg_stat_statements, by execution time) | calls per 1k items | rows per item | exec µs per item | of it JIT compilation | plan µs per item | blocks hit per item | dirtied per item | WAL bytes per item | full-page images per 1k items |");
            Line($"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var all = pg.Statements.Aggregate(new StatementCounters("all statements", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (sum, x) => sum.Plus(x));
            foreach (var x in pg.Statements.Take(Top).Prepend(all))
            {
                var text = x.Query.Replace("|", "\\|", StringComparison.Ordinal);
                Line($"| {(x == all ? "**all statements**" : "`" + text + "`")} | {Per(x.Calls * 1000.0):0.0} | {Per(x.Rows):0.00} | {Per(x.ExecMilliseconds * 1000):0.0} | {Per(x.JitMilliseconds * 1000):0.0} | {Per(x.PlanMilliseconds * 1000):0.0} | {Per(x.BlocksHit):0.0} | {Per(x.BlocksDirtied):0.00} | {Per(x.WalBytes):N0} | {Per(x.WalFullPageImages * 1000.0):0.0} |");
            }
        }
    }
}
