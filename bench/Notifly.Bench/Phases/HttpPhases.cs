using System.Globalization;
using Notifly.Bench.Database;
using Notifly.Bench.Hosting;
using Notifly.Bench.Load;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;

namespace Notifly.Bench.Phases;

/// <summary>The phases that load Notifly over HTTP from the load generator child.</summary>
public static class HttpPhases
{
    /// <summary>Rows per intake transaction in the window; pg-raw-matched replays the database at this size.</summary>
    public const string MeanBatchSizeKey = "mean intake batch size";

    /// <summary>
    /// Intake at full load, unmeasured, before any phase. The JIT's tiering (tier 0, instrumented,
    /// optimised) finishes only after many seconds of load when its background compiler competes for
    /// the same two cores: measured cold, intake reached less than half of its warm rate.
    /// </summary>
    public static async Task<double> WarmUpAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("warmup", cancellationToken);
        var spec = new LoadSpec(LoadMode.Closed, context.Host.BaseAddress + "/api/notifications", tenant.Secret, context.Host.WebhookUrl,
            context.Options.Connections, context.Options.Rate, WarmupSeconds: 0, context.Options.JitWarmupSeconds, context.RunId);
        var run = await context.Client.RunAsync(spec, context.Probe, cancellationToken);
        return run.Result.Ok / run.Result.Seconds;
    }

    public static async Task<PhaseResult> KestrelAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await context.CheckpointAsync(cancellationToken);
        var run = await RunAsync(context, LoadMode.Closed, BreakdownEndpoints.Noop, apiKey: null, webhookUrl: null, cancellationToken);
        return Result(PhaseNames.Kestrel,
            $"Kestrel ceiling: GET /bench/noop → 204 through Notifly's middleware, {context.Options.Connections} connections, closed loop",
            "requests/s", run, new Dictionary<string, string>());
    }

    /// <summary>Breakdown: intake's request (key, body) up to authentication and reading the body.</summary>
    public static async Task<PhaseResult> AuthenticatedAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("auth", cancellationToken);
        var run = await RunAsync(context, LoadMode.Closed, BreakdownEndpoints.Authenticated, tenant.Secret, context.Host.WebhookUrl, cancellationToken);
        return Result(PhaseNames.Authenticated,
            $"Breakdown: intake's request authenticated and its body read, → 204, {context.Options.Connections} connections, closed loop",
            "requests/s", run, new Dictionary<string, string>());
    }

    /// <summary>Breakdown: NotificationsApi.Send without the group commit.</summary>
    public static async Task<PhaseResult> ValidatedAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var tenant = await context.Host.CreateTenantAsync("valid", cancellationToken);
        var run = await RunAsync(context, LoadMode.Closed, BreakdownEndpoints.Validated, tenant.Secret, context.Host.WebhookUrl, cancellationToken);
        return Result(PhaseNames.Validated,
            $"Breakdown: intake's endpoint without the group commit (JSON, validation, 202 body), {context.Options.Connections} connections, closed loop",
            "requests/s", run, new Dictionary<string, string>());
    }

    public static async Task<PhaseResult> IntakeMaxAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await context.CheckpointAsync(cancellationToken);
        var tenant = await context.Host.CreateTenantAsync("max", cancellationToken);
        var webhooks = context.Host.WebhooksReceived;
        using var memory = new MemorySampler();
        memory.Start(); // from the start of the warm-up: allocation per request counts the warm-up's requests too
        var run = await RunAsync(context, LoadMode.Closed, "/api/notifications", tenant.Secret, context.Host.WebhookUrl, cancellationToken);
        var used = memory.Stop();
        var details = await IntakeDetailsAsync(context, tenant, run, webhooks, cancellationToken);
        details["memory"] = used.ToString();
        details["allocated"] = used.AllocatedPer(run.Result.TotalOk);
        return Result(PhaseNames.IntakeMax,
            $"REST intake at maximum: POST /api/notifications → 202, {context.Options.Connections} connections, closed loop",
            "accepted/s", run, details);
    }

    public static async Task<PhaseResult> IntakeRateAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await context.CheckpointAsync(cancellationToken);
        var tenant = await context.Host.CreateTenantAsync("rate", cancellationToken);
        var webhooks = context.Host.WebhooksReceived;
        var run = await RunAsync(context, LoadMode.Open, "/api/notifications", tenant.Secret, context.Host.WebhookUrl, cancellationToken);
        var details = await IntakeDetailsAsync(context, tenant, run, webhooks, cancellationToken);
        var lag = run.Result.SendLag!;
        details["target rate"] = context.Options.Rate.ToString(CultureInfo.InvariantCulture) + "/s";
        details["scheduled in window"] = run.Result.Scheduled.ToString(CultureInfo.InvariantCulture);
        details["unanswered after drain"] = run.Result.Unfinished.ToString(CultureInfo.InvariantCulture);
        details["generator send lag"] = string.Create(CultureInfo.InvariantCulture,
            $"p50 {lag.P50:0.00} ms, p99 {lag.P99:0.00} ms, max {lag.Max:0.00} ms (included in the latencies)");
        return Result(PhaseNames.IntakeRate,
            $"REST intake at {context.Options.Rate}/s: open loop, latency from the scheduled start, {context.Options.Connections} connections",
            "accepted/s", run, details);
    }

    private static Task<ClientRun> RunAsync(
        PhaseContext context, LoadMode mode, string path, string? apiKey, string? webhookUrl, CancellationToken cancellationToken)
    {
        var spec = new LoadSpec(mode, context.Host.BaseAddress + path, apiKey, webhookUrl, context.Options.Connections,
            context.Options.Rate, context.Options.WarmupSeconds, context.Options.DurationSeconds, context.RunId);
        return context.Client.RunAsync(spec, context.Probe, cancellationToken);
    }

    private static async Task<Dictionary<string, string>> IntakeDetailsAsync(
        PhaseContext context, BenchTenant tenant, ClientRun run, long webhooksBefore, CancellationToken cancellationToken)
    {
        var batches = await BatchStats.ReadAsync(context.Host.DataSource, tenant.TenantId, run.WindowStart, run.WindowEnd, cancellationToken);
        var rows = await BatchStats.CountRowsAsync(context.Host.DataSource, tenant.TenantId, cancellationToken);
        var details = new Dictionary<string, string>
        {
            ["intake batches in window"] = batches.ToString(),
            [MeanBatchSizeKey] = batches.Mean.ToString(CultureInfo.InvariantCulture),
            ["202s received (whole run)"] = run.Result.TotalOk.ToString(CultureInfo.InvariantCulture),
            ["rows in database"] = rows.ToString(CultureInfo.InvariantCulture),
            ["every 202 durable"] = rows >= run.Result.TotalOk ? "yes" : $"NO: {run.Result.TotalOk - rows} accepted notifications have no row",
        };
        if (context.Options.Role == Silo.Hosting.NotiflyRole.All)
        {
            details["webhooks delivered during phase"] = (context.Host.WebhooksReceived - webhooksBefore).ToString(CultureInfo.InvariantCulture);
        }

        return details;
    }

    private static PhaseResult Result(string name, string title, string unit, ClientRun run, Dictionary<string, string> details)
    {
        var r = run.Result;
        details["measured"] = string.Create(CultureInfo.InvariantCulture, $"{run.Cpu.Seconds:0.00} s (client window {r.Seconds} s)");
        if (r.Latency.Dropped > 0)
        {
            details["latency samples dropped"] = r.Latency.Dropped.ToString(CultureInfo.InvariantCulture);
        }

        return new PhaseResult(name, title, unit, Math.Round(r.Ok / r.Seconds, 1), r.Ok, "request", r.Latency, r.Errors, run.Cpu, details);
    }
}
