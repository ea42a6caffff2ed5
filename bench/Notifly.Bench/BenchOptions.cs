using Notifly.Bench.Database;
using Notifly.Bench.Phases;
using Notifly.Silo.Hosting;

namespace Notifly.Bench;

/// <summary>The benchmark's command line.</summary>
public sealed record BenchOptions(
    int DurationSeconds, int WarmupSeconds, int JitWarmupSeconds, int Rate, int Connections, string OutDirectory, NotiflyRole Role, IReadOnlyList<string> Phases,
    RawVariant RawVariant, IReadOnlyDictionary<string, string> Settings, bool PgStats = false, int Backlog = 0)
{
    public const string Usage = """
        usage: Notifly.Bench [--duration 10] [--warmup 2] [--jit-warmup 60] [--rate 5000] [--connections 64] [--out bench/results] [--backlog N]
                             [--role api|all] [--phases all | kestrel,http-authenticated,http-validated,pg-raw,pg-writer,intake-max,intake-rate,pg-raw-matched,kafka-raw,kafka-intake,dispatch-priority,dispatch-fairness,slow-provider,cluster,admin-queries | soak | retention]
          --duration     seconds measured per phase (1–3600); soak: its whole length, in 30-s windows
          --warmup       seconds of load before each phase's window (0–30)
          --jit-warmup   seconds of unmeasured intake load before the first phase, until the JIT has
                         optimised the hot paths (1–120)
          --rate         requests/s of the fixed-rate phase (1–100000)
          --connections  HTTP/1.1 connections of the HTTP phases (1–1024)
          --out          where the markdown and JSON reports go
          --role         api: intake only (default); all: the dispatcher delivers to an instant local webhook too
          --phases       comma-separated, run in the order above; default: all but the http-* breakdown phases;
                         soak (never part of "all"): intake at --rate for --duration, memory and p99 per window;
                         retention (never part of "all"): intake at --rate alone, then while 3 days of 500,000
                         notifications are dropped
          --backlog      low-priority notifications stored before each dispatch phase (default: 6,000 per second of
                         warm-up and window, 72,000 with the defaults), e.g. 300000 to see memory against depth
          --set          key=value: a Notifly setting for this run, e.g. --set Notifly:Intake:Writers=2 (repeatable)
          --raw-sql      as-is (default) | prepared | no-notify | no-key-check | keyed | kafka: a what-if version
                         of intake's statement for the pg-raw phases, to measure what a change to intake would
                         buy; keyed gives every row an idempotency key, kafka adds the outbox row too (what
                         a Kafka request writes that a REST one without a key does not)
          --pg-stats     off (default) | on: load pg_stat_statements and report, per phase and per item, what
                         PostgreSQL did in the window: WAL bytes, CPU by process kind, the statements
        """;

    private static readonly string[] Names = ["duration", "warmup", "jit-warmup", "rate", "connections", "out", "role", "phases", "raw-sql", "set", "pg-stats", "backlog"];

    private static KeyValuePair<string, string> Setting(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !text.StartsWith("Notifly:", StringComparison.Ordinal))
        {
            throw new UsageException($"--set takes Notifly:Section:Key=value, not '{text}'");
        }

        return new(text[..equals], text[(equals + 1)..]);
    }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var a = Arguments.Parse(args, Names);
        var role = a.String("role", "api").ToLowerInvariant() switch
        {
            "api" => NotiflyRole.Api,
            "all" => NotiflyRole.All,
            var other => throw new UsageException($"--role must be api or all, not '{other}'"),
        };
        var phases = a.String("phases", string.Join(',', PhaseNames.Default)) switch
        {
            "all" => PhaseNames.All.ToArray(),
            var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        string[] known = [.. PhaseNames.All, PhaseNames.Soak, PhaseNames.Retention];
        if (phases.FirstOrDefault(p => !known.Contains(p)) is { } unknown)
        {
            throw new UsageException($"unknown phase '{unknown}'");
        }

        return new BenchOptions(
            a.Int("duration", 10, 1, 3600), a.Int("warmup", 2, 0, 30), a.Int("jit-warmup", 60, 1, 120), a.Int("rate", 5000, 1, 100_000), a.Int("connections", 64, 1, 1024),
            a.String("out", Path.Combine("bench", "results")), role, known.Where(phases.Contains).ToArray(),
            a.String("raw-sql", "as-is") switch
            {
                "as-is" => RawVariant.AsIs,
                "prepared" => RawVariant.Prepared,
                "no-notify" => RawVariant.NoNotify,
                "no-key-check" => RawVariant.NoKeyCheck,
                "keyed" => RawVariant.Keyed,
                "kafka" => RawVariant.Kafka,
                var other => throw new UsageException($"--raw-sql must be as-is, prepared, no-notify, no-key-check, keyed or kafka, not '{other}'"),
            },
            a.All("set").Select(Setting).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase),
            a.String("pg-stats", "off") switch
            {
                "on" => true,
                "off" => false,
                var other => throw new UsageException($"--pg-stats must be on or off, not '{other}'"),
            },
            a.Int("backlog", 0, 0, 2_000_000));
    }
}
