using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Notifly.Chaos;

/// <summary>
/// The run: start the cluster, put steady load on it, inject the faults on their schedule, wait
/// for the survivors to finish, audit, report.
/// </summary>
public static class ChaosRun
{
    /// <summary>A killed node is started again this long after (a pod's restart).</summary>
    private static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long the survivors get after the load to finish what was accepted.</summary>
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromMinutes(6);

    /// <summary>The provider's answer time: attempts are in flight when a silo dies.</summary>
    private static readonly TimeSpan ReceiverLatency = TimeSpan.FromMilliseconds(200);

    public static async Task<Audit> RunAsync(ChaosOptions options, CancellationToken cancellationToken)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var results = Path.GetFullPath(options.ResultsDirectory);
        var logs = Path.Combine(results, $"chaos-{stamp}-logs");
        Directory.CreateDirectory(logs);
        var home = Path.Combine(Path.GetTempPath(), $"notifly-chaos-{Guid.NewGuid():N}"[..28]);
        var random = new Random(options.Seed);
        var clock = Stopwatch.StartNew();
        Say(clock, $"seed {options.Seed}; node logs in {logs}");

        await using var receiver = await Receiver.StartAsync(clock, ReceiverLatency, cancellationToken);
        try
        {
            // Inside the try: the cluster (PostgreSQL among it) stops before its directory goes.
            await using var cluster = await ChaosCluster.StartAsync(options, home, logs, receiver.Url, cancellationToken);
            Say(clock, $"{options.Silos} silos and {options.ApiNodes} api nodes ready");
            var (tenantId, apiKey) = await CreateTenantAsync(cluster, cancellationToken);
            var duration = TimeSpan.FromSeconds(options.DurationSeconds);
            var faults = Schedule(duration, random);
            var load = new Load(cluster, tenantId, apiKey, options, clock);
            var loadStart = clock.Elapsed;
            var loading = load.RunAsync(duration, cancellationToken);
            var restarts = new List<Task>();
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var exits = WatchExitsAsync(cluster, faults, restarts, clock, watching.Token);
            List<Fault> scheduled;
            lock (faults)
            {
                scheduled = [.. faults];
            }

            foreach (var fault in scheduled)
            {
                var wait = loadStart + fault.Due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                try
                {
                    await InjectAsync(fault, cluster, receiver, random, clock, restarts, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    fault.Error = e.Message;
                }

                Say(clock, $"{fault.Kind}: {fault.Detail}{(fault.Error is null ? "" : $" (failed: {fault.Error})")}");
            }

            await loading;
            Say(clock, $"load done: {load.Requests.Count} requests");
            Task[] started;
            lock (restarts)
            {
                started = [.. restarts];
            }

            await Task.WhenAll(started);
            await watching.CancelAsync();
            await exits;
            var audit = await Audit.RunAsync(cluster, receiver, load, faults, tenantId, clock, DrainDeadline, cancellationToken);
            var report = Report.Write(options, stamp, results, logs, audit);
            Console.WriteLine(File.ReadAllText(report));
            return audit;
        }
        finally
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // the cluster never got as far as creating it
            }
        }
    }

    /// <summary>
    /// The faults, spread over the load: six silo kills, an api node kill, a PostgreSQL crash, the
    /// Kafka broker down for 30 s and the provider answering 503 for 60 s. Each starts up to 5 s
    /// later than its slot, by the seed.
    /// </summary>
    private static List<Fault> Schedule(TimeSpan duration, Random random)
    {
        (string Kind, double At)[] slots =
        [
            ("silo kill", 30), ("api node kill", 60), ("silo kill", 90), ("PostgreSQL crash", 120), ("silo kill", 160),
            ("Kafka broker down", 190), ("silo kill", 240), ("provider 503", 270), ("silo kill", 345), ("silo kill", 380),
        ];
        var scale = duration.TotalSeconds / 420;
        return slots.Select(s => new Fault(s.Kind, TimeSpan.FromSeconds(s.At * scale + random.NextDouble() * 5))).ToList();
    }

    private static async Task InjectAsync(
        Fault fault, ChaosCluster cluster, Receiver receiver, Random random, Stopwatch clock, List<Task> restarts, CancellationToken cancellationToken)
    {
        fault.Start = clock.Elapsed;
        switch (fault.Kind)
        {
            case "silo kill":
            {
                var alive = cluster.Silos.Where(s => s.Alive).ToArray();
                var victim = alive[random.Next(alive.Length)];
                var owner = victim.OwnerPattern;
                await ChaosCluster.KillAsync(victim, cancellationToken);
                fault.End = clock.Elapsed;
                fault.Detail = $"{victim.Name} (generation {victim.Generation}) killed";
                AddLocked(restarts, RestartLaterAsync(cluster, victim, fault, cancellationToken));
                AddLocked(restarts, WatchTakeOverAsync(fault, cluster, owner, clock, cancellationToken));
                break;
            }

            case "api node kill":
            {
                var alive = cluster.ApiNodes.Where(a => a.Alive).ToArray();
                var victim = alive[random.Next(alive.Length)];
                await ChaosCluster.KillAsync(victim, cancellationToken);
                fault.End = clock.Elapsed;
                fault.Detail = $"{victim.Name} killed";
                AddLocked(restarts, RestartLaterAsync(cluster, victim, fault, cancellationToken));
                break;
            }

            case "PostgreSQL crash":
                await cluster.CrashPostgresAsync(TimeSpan.FromSeconds(5), cancellationToken);
                fault.End = clock.Elapsed;
                fault.Detail = $"pg_ctl -m immediate; started again {(fault.End - fault.Start).TotalSeconds:0.0} s later";
                break;

            case "Kafka broker down":
                cluster.Kafka.SetBrokerDown(1);
                await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
                cluster.Kafka.SetBrokerUp(1);
                fault.End = clock.Elapsed;
                fault.Detail = "the only broker down for 30 s";
                break;

            case "provider 503":
                receiver.Down = true;
                await Task.Delay(TimeSpan.FromSeconds(60), cancellationToken);
                receiver.Down = false;
                fault.End = clock.Elapsed;
                fault.Detail = "every call answered 503 for 60 s";
                break;

            default:
                throw new InvalidOperationException($"unknown fault {fault.Kind}");
        }
    }

    /// <summary>
    /// Notices a node that ended without being killed, records it as a fault of its own (the
    /// audit fails on it) and starts it again, as Kubernetes would.
    /// </summary>
    private static async Task WatchExitsAsync(ChaosCluster cluster, List<Fault> faults, List<Task> restarts, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (member, code) in cluster.Exited().ToList())
            {
                var fault = new Fault("unexpected exit", TimeSpan.Zero)
                {
                    Start = clock.Elapsed,
                    End = clock.Elapsed,
                    Detail = $"{member.Name} (generation {member.Generation}) exited by itself with code {code}; see its log",
                    Error = "a node died that nobody killed",
                };
                lock (faults)
                {
                    faults.Add(fault);
                }

                Say(clock, $"{fault.Kind}: {fault.Detail}");
                lock (restarts)
                {
                    restarts.Add(RestartLaterAsync(cluster, member, fault, CancellationToken.None));
                }
            }

            try
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Starts <paramref name="member"/> again after a while; a start that fails is put on <paramref name="fault"/> (the audit then fails).</summary>
    private static async Task RestartLaterAsync(ChaosCluster cluster, Member member, Fault fault, CancellationToken cancellationToken)
    {
        await Task.Delay(RestartAfter, cancellationToken);
        try
        {
            await cluster.StartAsync(member, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            fault.Error = $"{member.Name} did not start again: {e.Message}";
        }
    }

    /// <summary>
    /// Counts the dead silo's leases until the survivors have taken them all: the most seen is
    /// what it held (a claim it sent just before dying may commit a moment after), and the time
    /// they reached zero is the take-over.
    /// </summary>
    private static async Task WatchTakeOverAsync(Fault fault, ChaosCluster cluster, string owner, Stopwatch clock, CancellationToken cancellationToken)
    {
        while (clock.Elapsed - fault.Start < TimeSpan.FromMinutes(3))
        {
            var held = await Database.CountAsync(cluster.ConnectionString, "SELECT count(*) FROM reminders WHERE owner LIKE $1", owner, cancellationToken);
            fault.CutOff = Math.Max(fault.CutOff, held);
            if (held == 0 && clock.Elapsed - fault.Start > TimeSpan.FromSeconds(1))
            {
                fault.TakenOver = fault.CutOff == 0 ? null : clock.Elapsed - fault.Start;
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<(string TenantId, string ApiKey)> CreateTenantAsync(ChaosCluster cluster, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(cluster.ApiNodes[0].BaseAddress) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ChaosCluster.OperatorToken);
        var slug = $"chaos-{Guid.NewGuid():N}"[..20];
        using var response = await http.PostAsJsonAsync("/api/operator/tenants", new { name = slug, slug }, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return (body.RootElement.GetProperty("tenant").GetProperty("id").GetString()!,
            body.RootElement.GetProperty("adminKey").GetProperty("secret").GetString()!);
    }

    private static void AddLocked(List<Task> tasks, Task task)
    {
        lock (tasks)
        {
            tasks.Add(task);
        }
    }

    public static void Say(Stopwatch clock, string line) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,7:0.0} s] {line}"));
}
