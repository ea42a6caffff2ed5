using PhaseNames = Notifly.Bench.Phases.PhaseNames;

namespace Notifly.Bench.Reporting;

/// <summary>Everything one run measured; serialised as the JSON report.</summary>
public sealed record BenchReport(
    string RunId,
    DateTimeOffset StartedAt,
    BenchOptions Options,
    int IntakeWriters,
    int IntakeMaxBatchSize,
    MachineFacts Machine,
    double JitWarmupPerSecond,
    double ChildQuietSeconds,
    IReadOnlyList<PhaseResult> Phases)
{
    public PhaseResult? Phase(string name) => Phases.FirstOrDefault(p => p.Name == name);

    /// <summary>intake-max over each ceiling measured in the same run.</summary>
    public IReadOnlyDictionary<string, double> Ratios
    {
        get
        {
            var ratios = new Dictionary<string, double>(StringComparer.Ordinal);
            if (Phase(PhaseNames.KafkaIntake) is { } kafka && Phase(PhaseNames.KafkaRaw) is { PerSecond: > 0 } consume)
            {
                ratios[$"{PhaseNames.KafkaIntake} / {PhaseNames.KafkaRaw}"] = Math.Round(kafka.PerSecond / consume.PerSecond, 3);
            }

            if (Phase(PhaseNames.IntakeMax) is not { } intake)
            {
                return ratios;
            }

            foreach (var ceiling in new[] { PhaseNames.PostgresRaw, PhaseNames.PostgresWriter, PhaseNames.PostgresMatched, PhaseNames.Kestrel })
            {
                if (Phase(ceiling) is { PerSecond: > 0 } c)
                {
                    ratios[$"{PhaseNames.IntakeMax} / {ceiling}"] = Math.Round(intake.PerSecond / c.PerSecond, 3);
                }
            }

            return ratios;
        }
    }
}
