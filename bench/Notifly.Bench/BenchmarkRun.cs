using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Notifly.Bench.Hosting;
using Notifly.Bench.Load;
using Notifly.Bench.Measurement;
using Notifly.Bench.Phases;
using Notifly.Bench.Reporting;

namespace Notifly.Bench;

/// <summary>One benchmark run: start everything, measure the phases in order, report, tear down.</summary>
public static class BenchmarkRun
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}{Environment.NewLine}{BenchOptions.Usage}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl-C and SIGTERM (run.sh's time limit) cancel rather than kill, so that PostgreSQL is
        // stopped and its directory deleted. (A shell starts background jobs with SIGINT ignored;
        // SIGTERM always arrives.)
        void Cancel(PosixSignalContext signal)
        {
            signal.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var runId = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var startedAt = DateTimeOffset.UtcNow;
        Console.WriteLine($"Notifly benchmark {runId}: starting a durable private PostgreSQL and Notifly (role {options.Role})…");

        try
        {
            await using var host = await BenchHost.StartAsync(options.Role, options.Settings, options.PgStats, loggers, stop.Token);
            await using var client = LoadClient.Start();
            var machine = await MachineFacts.ReadAsync(host.DataSource, stop.Token);
            var postmaster = CpuProbe.PostmasterId(host.DataDirectory);
            using var pg = options.PgStats ? new PgProbe(host.ConnectionString, postmaster) : null;
            using var context = new PhaseContext(host, client, new CpuProbe(postmaster, pg), options, runId);
            Console.WriteLine($"  JIT warm-up: {options.JitWarmupSeconds} s of intake load, unmeasured…");
            var warm = await HttpPhases.WarmUpAsync(context, stop.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  JIT warm-up: {warm:N0} accepted/s on average"));
            var settled = await ChildNode.WaitQuietAsync(TimeSpan.FromSeconds(90), stop.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  child nodes quiet after {settled.TotalSeconds:N0} s more"));
            var phases = new List<PhaseResult>();
            foreach (var name in options.Phases)
            {
                Console.WriteLine($"  {name}: {options.WarmupSeconds} s warm-up, {options.DurationSeconds} s measured…");
                var phase = await RunPhaseAsync(context, name, phases, stop.Token);
                if (phase is null)
                {
                    Console.WriteLine($"  {name}: skipped (needs {PhaseNames.IntakeMax} in the same run)");
                    continue;
                }

                phases.Add(phase);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: {phase.PerSecond:N0} {phase.Unit}, p99 {phase.Latency.P99:0.00} ms, {phase.ErrorCount} errors"));
            }

            var report = new BenchReport(runId, startedAt, options, host.Intake.Writers, host.Intake.MaxBatchSize, machine, Math.Round(warm, 1), Math.Round(settled.TotalSeconds), phases);
            var markdown = Markdown.Render(report);
            Directory.CreateDirectory(options.OutDirectory);
            var stem = Path.Combine(options.OutDirectory, $"bench-{runId}");
            await File.WriteAllTextAsync(stem + ".md", markdown, stop.Token);
            await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(report, ReportJson), stop.Token);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Console.WriteLine($"Written: {stem}.md, {stem}.json");
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return 130;
        }
    }

    private static async Task<PhaseResult?> RunPhaseAsync(
        PhaseContext context, string name, IReadOnlyList<PhaseResult> done, CancellationToken cancellationToken) => name switch
    {
        PhaseNames.Kestrel => await HttpPhases.KestrelAsync(context, cancellationToken),
        PhaseNames.Authenticated => await HttpPhases.AuthenticatedAsync(context, cancellationToken),
        PhaseNames.Validated => await HttpPhases.ValidatedAsync(context, cancellationToken),
        PhaseNames.PostgresRaw => await DatabasePhases.RawAsync(context, name, context.Host.Intake.MaxBatchSize, cancellationToken),
        PhaseNames.PostgresWriter => await DatabasePhases.WriterAsync(context, cancellationToken),
        PhaseNames.IntakeMax => await HttpPhases.IntakeMaxAsync(context, cancellationToken),
        PhaseNames.IntakeRate => await HttpPhases.IntakeRateAsync(context, cancellationToken),
        PhaseNames.KafkaRaw => await KafkaPhases.RawConsumeAsync(context, cancellationToken),
        PhaseNames.KafkaIntake => await KafkaPhases.IntakeAsync(context, cancellationToken),
        PhaseNames.DispatchPriority => await DispatchPhases.PriorityAsync(context, cancellationToken),
        PhaseNames.DispatchFairness => await DispatchPhases.FairnessAsync(context, cancellationToken),
        PhaseNames.SlowProvider => await SlowProviderPhase.RunAsync(context, cancellationToken),
        PhaseNames.Cluster => await ClusterPhase.RunAsync(context, cancellationToken),
        PhaseNames.AdminQueries => await AdminQueriesPhase.RunAsync(context, cancellationToken),
        PhaseNames.Soak => await SoakPhase.RunAsync(context, cancellationToken),
        PhaseNames.Retention => await RetentionPhase.RunAsync(context, cancellationToken),
        // The database at the batch size intake actually formed: is PostgreSQL the limit at that size?
        PhaseNames.PostgresMatched => done.FirstOrDefault(p => p.Name == PhaseNames.IntakeMax) is { } max
            ? await DatabasePhases.RawAsync(context, name, ObservedBatchSize(max), cancellationToken)
            : null,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown phase"),
    };

    private static int ObservedBatchSize(PhaseResult intake) =>
        Math.Max(1, (int)Math.Round(intake.Details.TryGetValue(HttpPhases.MeanBatchSizeKey, out var mean)
            ? double.Parse(mean, CultureInfo.InvariantCulture)
            : 1));
}
