namespace Notifly.Bench.Phases;

/// <summary>The phases, in the order they run.</summary>
public static class PhaseNames
{
    public const string Kestrel = "kestrel";
    public const string PostgresRaw = "pg-raw";
    public const string PostgresWriter = "pg-writer";
    public const string IntakeMax = "intake-max";
    public const string IntakeRate = "intake-rate";
    public const string PostgresMatched = "pg-raw-matched";
    public const string Authenticated = "http-authenticated";
    public const string Validated = "http-validated";
    public const string KafkaRaw = "kafka-raw";
    public const string KafkaIntake = "kafka-intake";
    public const string DispatchPriority = "dispatch-priority";
    public const string DispatchFairness = "dispatch-fairness";
    public const string SlowProvider = "slow-provider";
    public const string Cluster = "cluster";
    public const string AdminQueries = "admin-queries";

    /// <summary>Not in <see cref="All"/>: minutes long, run on its own (<c>--phases soak --duration 600</c>).</summary>
    public const string Soak = "soak";

    /// <summary>Not in <see cref="All"/>: seeds millions of rows and reshapes partitions, run on its own (<c>--phases retention</c>).</summary>
    public const string Retention = "retention";

    /// <summary>Run by default: the ceilings, the two REST intake measurements, the database at intake's batch size, Kafka intake and its ceiling.</summary>
    public static readonly IReadOnlyList<string> Default = [Kestrel, PostgresRaw, PostgresWriter, IntakeMax, IntakeRate, PostgresMatched, KafkaRaw, KafkaIntake, DispatchPriority, DispatchFairness, SlowProvider, Cluster];

    /// <summary>Every phase in running order; the breakdown phases split intake-max's CPU per request by stretch.</summary>
    public static readonly IReadOnlyList<string> All =
        [Kestrel, Authenticated, Validated, PostgresRaw, PostgresWriter, IntakeMax, IntakeRate, PostgresMatched, KafkaRaw, KafkaIntake, DispatchPriority, DispatchFairness, SlowProvider, Cluster, AdminQueries];
}
