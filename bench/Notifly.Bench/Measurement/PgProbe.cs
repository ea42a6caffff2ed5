using System.Globalization;
using Npgsql;

namespace Notifly.Bench.Measurement;

/// <summary>
/// What PostgreSQL did, cumulatively, at one instant (<c>--pg-stats on</c>): WAL written, every
/// statement's pg_stat_statements counters, and the CPU of its processes by kind. Unlike
/// throughput, these hardly move when other work shares the machine: they say what each item costs
/// the database, not how fast it went.
/// </summary>
public sealed class PgProbe(string connectionString, int postmasterId) : IDisposable
{
    private readonly Lock _gate = new();
    private NpgsqlConnection? _connection;

    /// <summary>Synchronous, like the CPU sample it goes with: a few milliseconds of one backend.</summary>
    public PgSnapshot Sample()
    {
        lock (_gate)
        {
            // A connection of its own, outside the pool: the probe must not take one Notifly waits for.
            if (_connection is null)
            {
                _connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
                _connection.Open();
            }

            long walBytes;
            using (var wal = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", _connection))
            {
                walBytes = (long)wal.ExecuteScalar()!;
            }

            var statements = new Dictionary<long, StatementCounters>();
            using (var command = new NpgsqlCommand(
                """
                SELECT queryid, calls, rows, total_exec_time, total_plan_time, shared_blks_hit, shared_blks_read,
                       shared_blks_dirtied, shared_blks_written, wal_records, wal_fpi, wal_bytes::bigint,
                       left(regexp_replace(query, '\s+', ' ', 'g'), 160),
                       jit_generation_time + jit_inlining_time + jit_optimization_time + jit_emission_time
                  FROM pg_stat_statements
                 WHERE queryid IS NOT NULL AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_current_wal_lsn%'
                """, _connection))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var counters = new StatementCounters(
                        reader.GetString(12), reader.GetInt64(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4),
                        reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9),
                        reader.GetInt64(10), reader.GetInt64(11), reader.GetDouble(13));
                    // One query id per (user, database, top level): the same text under two users adds up.
                    statements[reader.GetInt64(0)] = statements.TryGetValue(reader.GetInt64(0), out var other) ? other.Plus(counters) : counters;
                }
            }

            return new PgSnapshot(walBytes, statements, ProcessSeconds());
        }
    }

    /// <summary>Seconds of CPU of the postmaster's children by kind, what it reaped from exited ones, and its own.</summary>
    private Dictionary<string, double> ProcessSeconds()
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string kind, long ticks) => seconds[kind] = seconds.GetValueOrDefault(kind) + ticks / ProcStat.TicksPerSecond;
        if (ProcStat.TryRead(postmasterId) is { } postmaster)
        {
            Add("postmaster", postmaster.OwnTicks);
            Add("exited children (autovacuum workers…)", postmaster.ReapedChildrenTicks);
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.TryRead(pid) is { } stat && stat.ParentId == postmasterId)
            {
                Add(Kind(pid), stat.OwnTicks);
            }
        }

        return seconds;
    }

    // "postgres: autovacuum worker notifly", "postgres: walwriter ", "postgres: notifly notifly 127.0.0.1(4242) idle"
    private static string Kind(int pid)
    {
        string title;
        try
        {
            title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "exited children (autovacuum workers…)";
        }

        title = title.StartsWith("postgres: ", StringComparison.Ordinal) ? title["postgres: ".Length..] : title;
        return title.Contains('(', StringComparison.Ordinal) ? "client backends"
            : title.StartsWith("autovacuum worker", StringComparison.Ordinal) ? "autovacuum workers"
            : title.Split(' ')[0] switch
            {
                "checkpointer" or "walwriter" or "background" or "autovacuum" or "logical" => "background (checkpointer, walwriter, bgwriter…)",
                _ => "other",
            };
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }
}

/// <summary>pg_stat_statements' counters of one statement.</summary>
public sealed record StatementCounters(
    string Query, long Calls, long Rows, double ExecMilliseconds, double PlanMilliseconds, long BlocksHit, long BlocksRead,
    long BlocksDirtied, long BlocksWritten, long WalRecords, long WalFullPageImages, long WalBytes, double JitMilliseconds)
{
    public StatementCounters Plus(StatementCounters o) => this with
    {
        Calls = Calls + o.Calls, Rows = Rows + o.Rows, ExecMilliseconds = ExecMilliseconds + o.ExecMilliseconds,
        PlanMilliseconds = PlanMilliseconds + o.PlanMilliseconds, BlocksHit = BlocksHit + o.BlocksHit, BlocksRead = BlocksRead + o.BlocksRead,
        BlocksDirtied = BlocksDirtied + o.BlocksDirtied, BlocksWritten = BlocksWritten + o.BlocksWritten, WalRecords = WalRecords + o.WalRecords,
        WalFullPageImages = WalFullPageImages + o.WalFullPageImages, WalBytes = WalBytes + o.WalBytes,
        JitMilliseconds = JitMilliseconds + o.JitMilliseconds,
    };

    public StatementCounters Minus(StatementCounters? o) => o is null ? this : this with
    {
        Calls = Calls - o.Calls, Rows = Rows - o.Rows, ExecMilliseconds = ExecMilliseconds - o.ExecMilliseconds,
        PlanMilliseconds = PlanMilliseconds - o.PlanMilliseconds, BlocksHit = BlocksHit - o.BlocksHit, BlocksRead = BlocksRead - o.BlocksRead,
        BlocksDirtied = BlocksDirtied - o.BlocksDirtied, BlocksWritten = BlocksWritten - o.BlocksWritten, WalRecords = WalRecords - o.WalRecords,
        WalFullPageImages = WalFullPageImages - o.WalFullPageImages, WalBytes = WalBytes - o.WalBytes,
        JitMilliseconds = JitMilliseconds - o.JitMilliseconds,
    };
}

/// <summary>One <see cref="PgProbe.Sample"/>.</summary>
public sealed record PgSnapshot(long WalBytes, IReadOnlyDictionary<long, StatementCounters> Statements, IReadOnlyDictionary<string, double> ProcessSeconds)
{
    public PgWindow Since(PgSnapshot start) => new(
        WalBytes - start.WalBytes,
        Statements
            .Select(kv => kv.Value.Minus(start.Statements.GetValueOrDefault(kv.Key)))
            .Where(s => s.Calls > 0)
            .OrderByDescending(s => s.ExecMilliseconds)
            .ToArray(),
        ProcessSeconds.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value - start.ProcessSeconds.GetValueOrDefault(kv.Key), 2), StringComparer.Ordinal));
}

/// <summary>What PostgreSQL did between two snapshots: statements by execution time, most first.</summary>
public sealed record PgWindow(long WalBytes, IReadOnlyList<StatementCounters> Statements, IReadOnlyDictionary<string, double> ProcessSeconds);
