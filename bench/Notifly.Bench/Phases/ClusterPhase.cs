using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Notifly.Bench.Hosting;
using Notifly.Bench.Load;
using Notifly.Bench.Reporting;
using Notifly.Silo.Hosting;

namespace Notifly.Bench.Phases;

/// <summary>
/// Two silos and one api node on this machine (docs/0021). Silo A runs in this process and keeps
/// the cluster's membership (development clustering); silo B is a child process, the built
/// <c>notifly</c> binary, joined to it. An api node in this process, a client of both, takes REST
/// intake at maximum (for another tenant) while both silos deliver a stored backlog to an instant
/// receiver. Then B is
/// killed with SIGKILL while it has attempts in flight, and the phase reports how long the
/// cluster took to release B's leases and A to deliver everything B had in flight. Leases are
/// 5 minutes here, so only the release can explain a recovery in seconds.
/// </summary>
public static class ClusterPhase
{
    private const int BacklogPerSecond = 6_000;

    /// <summary>
    /// At least this much warm-up: silo B is a fresh process, and its first grain calls and
    /// statements are compiled while two silos compete for the cores. With the default 2 s, one
    /// multi-second stall of the api node's requests fell inside the window.
    /// </summary>
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static async Task<PhaseResult> RunAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await using var sink = await DeliverySink.StartAsync(cancellationToken);
        var tenant = await context.Host.CreateTenantAsync("cluster", cancellationToken);
        var sender = await context.Host.CreateTenantAsync("cluster-rest", cancellationToken); // REST from another tenant, as in the dispatch phases
        await context.ForgetUndeliveredWorkAsync(cancellationToken);
        var warmup = context.Warmup > MinWarmup ? context.Warmup : MinWarmup;
        var backlog = (int)(BacklogPerSecond * (warmup + context.Duration).TotalSeconds);
        await DispatchPhases.StoreBacklogAsync(context, tenant, sink.Url(DeliverySink.Backlog), backlog, cancellationToken);
        await context.CheckpointAsync(cancellationToken);

        var clusterId = $"bench-cluster-{Guid.NewGuid():N}";
        var siloA = Ports();
        var siloB = Ports();
        var shared = new Dictionary<string, string?>
        {
            ["Notifly:Orleans:ClusterId"] = clusterId,
            ["Notifly:Orleans:PrimarySilo"] = $"127.0.0.1:{siloA.Silo}",
            ["Notifly:Dispatch:Lease"] = "00:05:00",
            // Failure detection as a deployment may tune it (docs/0020); Orleans' defaults take about 13 s.
            ["Notifly:Orleans:Membership:ProbeTimeout"] = "00:00:01",
            ["Notifly:Orleans:Membership:NumMissedProbesLimit"] = "2",
        };

        await using var a = await context.Host.StartNodeAsync(NotiflyRole.Worker, With(shared, siloA), cancellationToken);
        using var b = await ChildNode.StartAsync(
            BenchHost.NodeDefaults(context.Host.ConnectionString, NotiflyRole.Worker).Concat(context.Host.Settings).Concat(With(shared, siloB)),
            cancellationToken);
        var client = new Dictionary<string, string?>
        {
            ["Notifly:Orleans:ClusterId"] = clusterId,
            ["Notifly:Orleans:Gateways:0"] = $"127.0.0.1:{siloA.Gateway}",
            ["Notifly:Orleans:Gateways:1"] = $"127.0.0.1:{siloB.Gateway}",
        };
        await using var api = await context.Host.StartNodeAsync(NotiflyRole.Api, client, cancellationToken);

        // REST through the api node, closed loop; deliveries of the backlog counted over the same window.
        var spec = new LoadSpec(LoadMode.Closed, api.BaseAddress + "/api/notifications", sender.Secret, sink.Url(DeliverySink.Watched),
            context.Options.Connections, context.Options.Rate, (int)warmup.TotalSeconds, context.Options.DurationSeconds, context.RunId);
        var load = context.Client.RunAsync(spec, context.Probe, cancellationToken);
        await Task.Delay(warmup, cancellationToken);
        var deliveredBefore = sink.Count(DeliverySink.Backlog) + sink.Count(DeliverySink.Watched);
        await Task.Delay(context.Duration, cancellationToken);
        var delivered = sink.Count(DeliverySink.Backlog) + sink.Count(DeliverySink.Watched) - deliveredBefore;
        var run = await load;

        var kill = await KillAsync(context, b, siloB.Silo, cancellationToken);
        var r = run.Result;
        var details = new Dictionary<string, string>
        {
            ["cluster"] = "silo A in this process (membership primary), silo B a child process, the api node a client of both",
            ["warm-up"] = $"{warmup.TotalSeconds:0} s (at least {MinWarmup.TotalSeconds:0}: silo B starts cold)",
            ["backlog stored before the phase"] = string.Create(CultureInfo.InvariantCulture, $"{backlog:N0} low-priority notifications"),
            ["delivered in the window, both silos"] = string.Create(CultureInfo.InvariantCulture,
                $"{delivered:N0} ({delivered / context.Duration.TotalSeconds:N0}/s)"),
            ["silo B killed with"] = $"{kill.Held} attempts in flight",
            ["B's leases released after"] = $"{kill.Released.TotalSeconds:0.0} s",
            ["B's attempts delivered by A after"] = $"{kill.Done.TotalSeconds:0.0} s",
            ["measured"] = string.Create(CultureInfo.InvariantCulture, $"{run.Cpu.Seconds:0.00} s (client window {r.Seconds} s); silo B's CPU counts as Notifly's"),
        };
        return new PhaseResult(PhaseNames.Cluster,
            $"Two silos and an api node: REST intake through the api node at maximum while both silos deliver; then silo B is killed",
            "accepted/s", Math.Round(r.Ok / r.Seconds, 1), r.Ok, "request", r.Latency, r.Errors, run.Cpu, details);
    }

    private sealed record SiloPorts(int Silo, int Gateway);

    private sealed record Kill(long Held, TimeSpan Released, TimeSpan Done);

    private static SiloPorts Ports() => new(LoopbackPort.Pick(), LoopbackPort.Pick());

    private static Dictionary<string, string?> With(Dictionary<string, string?> shared, SiloPorts ports) => new(shared)
    {
        ["Notifly:Orleans:SiloPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture),
        ["Notifly:Orleans:GatewayPort"] = ports.Gateway.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<Kill> KillAsync(PhaseContext context, ChildNode b, int siloPort, CancellationToken cancellationToken)
    {
        // A silo's name in reminders.owner is its address: 127.0.0.1:<silo port>@<generation>.
        var owned = $"%:{siloPort.ToString(CultureInfo.InvariantCulture)}@%";
        var held = await WaitForAsync(context, "SELECT count(*) FROM reminders WHERE owner LIKE $1", owned, n => n > 0, cancellationToken);
        Guid[] inFlight;
        await using (var command = context.Host.DataSource.CreateCommand("SELECT grain_id FROM reminders WHERE owner LIKE $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = owned });
            var ids = new List<Guid>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetGuid(0));
            }

            inFlight = ids.ToArray();
        }

        var killed = Stopwatch.StartNew();
        await b.KillAsync(cancellationToken);
        await WaitForAsync(context, "SELECT count(*) FROM reminders WHERE owner LIKE $1", owned, n => n == 0, cancellationToken);
        var released = killed.Elapsed;
        await WaitForAsync(context, "SELECT count(*) FROM notifications WHERE id = ANY($1) AND status <> 'SENT'", inFlight, n => n == 0, cancellationToken);
        return new Kill(held, released, killed.Elapsed);
    }

    private static async Task<long> WaitForAsync(PhaseContext context, string sql, object parameter, Func<long, bool> done, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var command = context.Host.DataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            var value = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"not reached in {Deadline.TotalSeconds:0} s ({value}): {sql}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
