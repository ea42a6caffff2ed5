using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Notifly.Bench.Database;
using Notifly.Bench.Hosting;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Tenants;
using Notifly.Silo.Hosting;

namespace Notifly.Bench.Phases;

/// <summary>
/// Dispatch under a backlog (ARCHITECTURE.md §7: high-priority p99 &lt; 1 s at 2,000/s while low
/// priority is backlogged). One tenant's low-priority backlog is stored first; a worker node then
/// delivers it to an instant webhook receiver while another tenant's notifications arrive at a
/// fixed rate. Latency is accept (the intake commit) → the receiver has the webhook, per
/// notification, both read from this process's clock. The fairness variant sends the second
/// tenant's notifications at the backlog's own priority: only tenant fairness can help them.
/// </summary>
public static class DispatchPhases
{
    public const int Rate = 2_000;

    /// <summary>Backlog per second of the phase: more than the dispatcher delivers on 2 cores, so it never runs dry.</summary>
    private const int BacklogPerSecond = 6_000;

    public static Task<PhaseResult> PriorityAsync(PhaseContext context, CancellationToken cancellationToken) =>
        RunAsync(context, PhaseNames.DispatchPriority, Priority.High,
            $"Dispatch: another tenant's high-priority notifications at {Rate:N0}/s while a low-priority backlog is delivered; latency accept → webhook received",
            cancellationToken);

    public static Task<PhaseResult> FairnessAsync(PhaseContext context, CancellationToken cancellationToken) =>
        RunAsync(context, PhaseNames.DispatchFairness, Priority.Low,
            $"Dispatch fairness: another tenant's notifications at {Rate:N0}/s at the backlog's own (low) priority; latency accept → webhook received",
            cancellationToken);

    private static async Task<PhaseResult> RunAsync(
        PhaseContext context, string name, Priority watchedPriority, string title, CancellationToken cancellationToken)
    {
        await using var sink = await DeliverySink.StartAsync(cancellationToken);
        var flooding = await context.Host.CreateTenantAsync("flood", cancellationToken);
        var watched = await context.Host.CreateTenantAsync("watched", cancellationToken);
        await context.ForgetUndeliveredWorkAsync(cancellationToken);

        var backlog = context.Options.Backlog > 0
            ? context.Options.Backlog
            : BacklogPerSecond * (context.Options.WarmupSeconds + context.Options.DurationSeconds);
        await StoreBacklogAsync(context, flooding, sink.Url(DeliverySink.Backlog), backlog, cancellationToken);
        await context.CheckpointAsync(cancellationToken);

        await using var worker = await context.Host.StartNodeAsync(NotiflyRole.Worker, new Dictionary<string, string?>(), cancellationToken);
        var accepted = new ConcurrentDictionary<Guid, long>();
        var errors = new ConcurrentDictionary<string, long>();
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + (long)(context.Warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(context.Duration.TotalSeconds * Stopwatch.Frequency);
        var principal = new ApiPrincipal(watched.TenantId, watched.KeyId, watched.KeyPrefix, ApiPrincipal.AdminRole);
        var enabled = new HashSet<Channel> { Channel.Webhook };

        CpuSample? cpuFirst = null;
        using var memory = new MemorySampler();
        var backlogAtStart = 0L;
        var sends = new List<Task>();
        for (long n = 0; ; n++)
        {
            var due = start + n * Stopwatch.Frequency / Rate;
            if (due >= windowEnd)
            {
                break;
            }

            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                await Task.Delay(wait > 1 ? TimeSpan.FromMilliseconds(wait - 1) : TimeSpan.Zero, cancellationToken);
            }

            if (cpuFirst is null && Stopwatch.GetTimestamp() >= windowStart)
            {
                cpuFirst = context.Probe.Sample(null);
                backlogAtStart = sink.Count(DeliverySink.Backlog);
                memory.Start();
            }

            var measured = due >= windowStart;
            var item = Item(principal, enabled, sink.Url(DeliverySink.Watched), watchedPriority);
            sends.Add(SubmitAsync(context.Host.IntakeWriter, item, measured ? accepted : null, errors, cancellationToken));
        }

        var cpu = context.Probe.Sample(null).Since(cpuFirst!);
        var heap = memory.Stop();
        var backlogDelivered = sink.Count(DeliverySink.Backlog) - backlogAtStart;
        await Task.WhenAll(sends);

        // What was accepted in the window and not delivered yet gets a grace period, then counts as missing.
        var grace = Stopwatch.StartNew();
        while (accepted.Keys.Any(id => !sink.Arrivals.ContainsKey(id)) && grace.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100, cancellationToken);
        }

        var latencies = accepted
            .Where(a => sink.Arrivals.ContainsKey(a.Key))
            .Select(a => (long)((sink.Arrivals[a.Key] - a.Value) * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))
            .ToArray();
        var missing = accepted.Count - latencies.Length;
        if (missing > 0)
        {
            errors["not delivered within 20 s of the window's end"] = missing;
        }

        var summary = LatencySummary.Of(latencies);
        return new PhaseResult(name, title, "delivered/s", Math.Round(latencies.Length / context.Duration.TotalSeconds, 1), latencies.Length,
            "accept → delivered", summary, errors, cpu,
            new Dictionary<string, string>
            {
                ["backlog stored before the phase"] = string.Create(CultureInfo.InvariantCulture, $"{backlog:N0} low-priority notifications of one tenant"),
                ["backlog delivered in the window"] = string.Create(CultureInfo.InvariantCulture,
                    $"{backlogDelivered:N0} ({backlogDelivered / context.Duration.TotalSeconds:N0}/s)"),
                ["backlog left at the end"] = string.Create(CultureInfo.InvariantCulture, $"{backlog - sink.Count(DeliverySink.Backlog):N0}"),
                ["watched notifications"] = string.Create(CultureInfo.InvariantCulture,
                    $"{Rate:N0}/s at priority {watchedPriority.ToString().ToLowerInvariant()}, submitted in-process through the intake's group commit (no HTTP)"),
                ["dispatch settings"] = "defaults (MaxInFlight 512, 20 % reserved for instant/high, fair share 32 per tenant per claim)",
                ["memory in the window"] = heap.ToString(),
            });
    }

    private static async Task SubmitAsync(
        IntakeWriter intake, IntakeItem item, ConcurrentDictionary<Guid, long>? accepted, ConcurrentDictionary<string, long> errors,
        CancellationToken cancellationToken)
    {
        try
        {
            var outcome = (await intake.SubmitAsync([item], cancellationToken))[0];
            if (outcome is IntakeOutcome.Accepted a)
            {
                accepted?.TryAdd(a.Response.RequestId, Stopwatch.GetTimestamp());
            }
            else
            {
                errors.AddOrUpdate(outcome.GetType().Name, 1, (_, c) => c + 1);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errors.AddOrUpdate(ex.GetType().Name, 1, (_, c) => c + 1);
        }
    }

    private static IntakeItem Item(ApiPrincipal principal, HashSet<Channel> enabled, string url, Priority priority)
    {
        using var payload = JsonDocument.Parse("""{"bench":"dispatch"}""");
        var request = new SendNotificationRequest("bench.dispatch", payload.RootElement.Clone(), [Channel.Webhook],
            new Recipient(WebhookUrl: url), Priority: priority);
        var validation = RequestValidator.Validate(request, null, enabled, DateTimeOffset.UtcNow);
        return IntakeItem.FromApi(principal, validation.Request ?? throw new InvalidOperationException("the benchmark's request does not validate"));
    }

    internal static async Task StoreBacklogAsync(PhaseContext context, BenchTenant tenant, string url, int count, CancellationToken cancellationToken)
    {
        Console.WriteLine($"    storing a backlog of {count:N0} low-priority notifications…");
        var principal = new ApiPrincipal(tenant.TenantId, tenant.KeyId, tenant.KeyPrefix, ApiPrincipal.AdminRole);
        var enabled = new HashSet<Channel> { Channel.Webhook };
        var item = Item(principal, enabled, url, Priority.Low);
        for (var written = 0; written < count; written += 1000)
        {
            var batch = Enumerable.Repeat(item, Math.Min(1000, count - written)).ToArray();
            await context.Host.IntakeBatch.WriteAsync(batch, cancellationToken);
        }
    }

}
