using System.Globalization;
using Notifly.Bench.Hosting;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Notifly.Silo.Hosting;

namespace Notifly.Bench.Phases;

/// <summary>
/// Slow providers (ARCHITECTURE.md §7: with 100 ms per call, throughput limited only by the
/// configured concurrency). A backlog is delivered to a provider that answers after 100 ms, with
/// the provider's concurrency limit (<c>Notifly:Providers:Kinds:webhook:MaxConcurrency</c>) set
/// to each of <see cref="Limits"/> in turn. The ceiling a limit allows is limit ÷ 100 ms; the
/// phase reports the delivered rate against it, measured in the same run.
/// </summary>
public static class SlowProviderPhase
{
    /// <summary>Two limits, both under the dispatcher's own 80 % bulk share of 512, so the provider limit is the only bound.</summary>
    public static readonly int[] Limits = [100, 300];

    public static async Task<PhaseResult> RunAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await using var sink = await DeliverySink.StartAsync(cancellationToken);
        var tenant = await context.Host.CreateTenantAsync("slow", cancellationToken);
        var details = new Dictionary<string, string>();
        var rate = 0.0;
        var delivered = 0L;
        CpuUse? cpu = null;
        foreach (var limit in Limits)
        {
            var ceiling = limit / DeliverySink.SlowLatency.TotalSeconds;
            await context.ForgetUndeliveredWorkAsync(cancellationToken);
            var backlog = (int)(ceiling * (context.Options.WarmupSeconds + context.Options.DurationSeconds) * 1.3);
            await DispatchPhases.StoreBacklogAsync(context, tenant, sink.Url(DeliverySink.Slow), backlog, cancellationToken);
            await context.CheckpointAsync(cancellationToken);

            await using var worker = await context.Host.StartNodeAsync(NotiflyRole.Worker, new Dictionary<string, string?>
            {
                ["Notifly:Providers:Kinds:webhook:MaxConcurrency"] = limit.ToString(CultureInfo.InvariantCulture),
            }, cancellationToken);
            await Task.Delay(context.Warmup, cancellationToken);
            var before = sink.Count(DeliverySink.Slow);
            var cpuFirst = context.Probe.Sample(null);
            await Task.Delay(context.Duration, cancellationToken);
            delivered = sink.Count(DeliverySink.Slow) - before;
            cpu = context.Probe.Sample(null).Since(cpuFirst);
            rate = delivered / context.Duration.TotalSeconds;
            details[$"limit {limit}"] = string.Create(CultureInfo.InvariantCulture,
                $"{rate:N0} delivered/s of a {ceiling:N0}/s ceiling ({rate / ceiling:P0}), {cpu.Machine:N2} cores busy");
        }

        details["provider"] = "a webhook receiver that answers 204 after 100 ms; the headline is the last limit's rate";
        return new PhaseResult(PhaseNames.SlowProvider,
            $"Slow provider (100 ms per call): delivered/s against the ceiling each concurrency limit allows ({string.Join(", ", Limits)})",
            "delivered/s", Math.Round(rate, 1), delivered, "none (rate only)", LatencySummary.Of([]), new Dictionary<string, long>(), cpu!, details);
    }
}
