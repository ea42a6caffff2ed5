using System.Globalization;
using Notifly.Bench.Database;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Notifly.Grains.Intake;

namespace Notifly.Bench.Phases;

/// <summary>
/// The PostgreSQL ceilings: intake's rows written with intake's statement, batch size and writer
/// count, from this process and without HTTP.
/// </summary>
public static class DatabasePhases
{
    /// <summary>(a) The statement alone, parameters built once: the database's own limit.</summary>
    public static async Task<PhaseResult> RawAsync(PhaseContext context, string name, int batchSize, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("raw", cancellationToken);
        var variant = context.Options.RawVariant;
        var raw = new RawInsert(context.Host.DataSource, IntakeRows.Create(tenant, context.Host.WebhookUrl, context.RunId, batchSize), variant);
        var statement = variant == RawVariant.AsIs ? "IntakeBatch's INSERT" : $"IntakeBatch's INSERT ({variant} variant)";
        return await RunAsync(context, name,
            $"PostgreSQL ceiling: {statement} via Npgsql, {batchSize} rows a transaction, {context.Host.Intake.Writers} writers",
            raw.WriteAsync, batchSize, cancellationToken);
    }

    /// <summary>(b) IntakeBatch.WriteAsync itself: adds our per-row preparation (ids, JSON, arrays) to (a).</summary>
    public static async Task<PhaseResult> WriterAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var batchSize = context.Host.Intake.MaxBatchSize;
        var tenant = await context.Host.CreateTenantAsync("writer", cancellationToken);
        var items = IntakeRows.Create(tenant, context.Host.WebhookUrl, context.RunId, batchSize);
        var batch = context.Host.IntakeBatch;
        return await RunAsync(context, PhaseNames.PostgresWriter,
            $"Intake writer ceiling: IntakeBatch.WriteAsync without HTTP, {batchSize} rows a transaction, {context.Host.Intake.Writers} writers",
            async ct => (await batch.WriteAsync(items, ct)).Count(o => o is IntakeOutcome.Accepted), batchSize, cancellationToken);
    }

    private static async Task<PhaseResult> RunAsync(
        PhaseContext context, string name, string title, Func<CancellationToken, Task<int>> writeBatch, int batchSize,
        CancellationToken cancellationToken)
    {
        await context.CheckpointAsync(cancellationToken);
        CpuSample? first = null, last = null;
        var (rows, batches, commits) = await BatchLoad.RunAsync(
            context.Host.Intake.Writers, writeBatch, context.Warmup, context.Duration,
            () => first = context.Probe.Sample(null), () => last = context.Probe.Sample(null), cancellationToken);
        var cpu = last!.Since(first!);
        var details = new Dictionary<string, string>
        {
            ["batch size"] = batchSize.ToString(CultureInfo.InvariantCulture),
            ["transactions in window"] = batches.ToString(CultureInfo.InvariantCulture),
            ["measured"] = string.Create(CultureInfo.InvariantCulture, $"{cpu.Seconds:0.00} s"),
        };
        return new PhaseResult(name, title, "rows/s", Math.Round(rows / context.Duration.TotalSeconds, 1), rows, "batch commit", commits,
            new Dictionary<string, long>(), cpu, details);
    }
}
