using System.Globalization;
using System.Text;

namespace Notifly.Chaos;

/// <summary>The run's report, as Markdown beside the benchmark's (bench/results/chaos-{stamp}.md).</summary>
public static class Report
{
    public static string Write(ChaosOptions options, string stamp, string results, string logs, Audit audit)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        string S(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";

        Line($"# Chaos run {stamp}");
        Line("");
        Line(string.Create(CultureInfo.InvariantCulture,
            $"`bench/chaos/run.sh --duration {options.DurationSeconds} --silos {options.Silos} --api-nodes {options.ApiNodes} --rest-rate {options.RestPerSecond} --kafka-rate {options.KafkaPerSecond} --seed {options.Seed}`"));
        Line("");
        Line(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores. {options.Silos} silos and {options.ApiNodes} api nodes (the built binary, one process each, membership in Redis), " +
            $"a private PostgreSQL (fsync on), librdkafka's mock cluster with one broker. {options.RestPerSecond} REST and {options.KafkaPerSecond} Kafka " +
            $"requests a second for {options.DurationSeconds} s, all webhooks to one receiver that answers 204 after 200 ms. Node logs: `{Path.GetRelativePath(Directory.GetCurrentDirectory(), logs)}`."));
        Line("");
        Line($"**Verdict: {(audit.Passed ? "PASS" : "FAIL")}** (0 lost, 0 stuck, every accepted notification delivered, every duplicate after a cut-off attempt, no reminder left, every status event published, every fault injected and no node dead unkilled).");
        Line("");
        Line("| audit | |");
        Line("|---|---:|");
        Line($"| requests | {audit.Requests} |");
        Line($"| accepted: REST 202 / Kafka acknowledged | {audit.RestAccepted} / {audit.KafkaAccepted} |");
        Line($"| refused: REST / Kafka (no promise made) | {audit.RestRefused} / {audit.KafkaRefused} |");
        if (audit.RestRefusals.Count > 0)
        {
            Line($"| REST refusals by answer | {string.Join(", ", audit.RestRefusals.Select(r => $"{r.Count} × {r.Reason}"))} |");
        }
        Line($"| stored | {audit.Stored} |");
        Line($"| **lost** (accepted, no notification) | **{audit.Lost}** |");
        Line($"| SENT | {audit.Sent} |");
        Line($"| **stuck** (stored, not SENT after the drain) | **{(audit.Stuck.Count == 0 ? "0" : string.Join(", ", audit.Stuck.Select(s => $"{s.Value} {s.Key}")))}** |");
        Line($"| delivered (at the receiver) / not delivered | {audit.Delivered} / {audit.NotDelivered} |");
        Line($"| delivered more than once: after a cut-off attempt / **unexplained** | {audit.DuplicatesAfterCutOff} / **{audit.Unexplained}** |");
        Line($"| reminders left / status events not published | {audit.RemindersLeft} / {audit.OutboxUnsent} |");
        Line($"| provider 503 answers during its outage | {audit.ProviderRefusals} |");
        Line($"| drained after the load in | {S(audit.Drained)} |");
        if (audit.KafkaStoredAfter.Count > 0)
        {
            var after = audit.KafkaStoredAfter;
            Line($"| Kafka request stored after its produce: median / p99 / max | {S(after[after.Count / 2])} / {S(after[(int)(after.Count * 0.99)])} / {S(after[^1])} |");
        }
        Line("");
        Line("Recovery: *taken over* is how long after a silo's death the survivors held every attempt it had held; " +
             "*caught up* is how long after the fault ended every notification requested before that end, and not yet delivered when it began, " +
             "had reached the receiver. REST refusals are counted from the fault's start to 10 s after its end.");
        Line("");
        Line("| # | at | fault | detail | REST refused | taken over | caught up | second deliveries |");
        Line("|---:|---:|---|---|---:|---:|---:|---:|");
        var n = 0;
        foreach (var outcome in audit.Faults)
        {
            var f = outcome.Fault;
            Line(string.Create(CultureInfo.InvariantCulture,
                $"| {++n} | {f.Start.TotalSeconds:0.0} s | {f.Kind} | {f.Detail}{(f.Kind == "silo kill" ? $" holding {f.CutOff} attempts" : "")}" +
                $"{(f.Error is null ? "" : $" **failed: {f.Error}**")} | {outcome.RestRefused} | " +
                $"{(f.Kind != "silo kill" ? "" : f.CutOff == 0 ? "none held" : S(f.TakenOver))} | {S(outcome.CaughtUp)} | {outcome.SecondDeliveries} |"));
        }

        Directory.CreateDirectory(results);
        var path = Path.Combine(results, $"chaos-{stamp}.md");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
