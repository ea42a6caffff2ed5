// What an Orleans grain call and a grain activation cost on this machine, in CPU and allocation
// per operation, inside one silo and called from non-grain code — as the dispatcher would call a
// grain per notification (docs/0023). Each case runs after a warm-up, three times; the median is
// reported. Command: dotnet run -c Release --project bench/Notifly.GrainCost
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.GrainCost;

const int Operations = 100_000;
const int Concurrency = 256;

using var host = Host.CreateDefaultBuilder(args)
    .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
    .UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), FreePort()))
    .Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IGrainFactory>();

Console.WriteLine($"{Operations:N0} operations per run, {Concurrency} at a time, {Environment.ProcessorCount} cores; median of 3 runs");
Console.WriteLine("| case | µs CPU per operation | operations/s | bytes allocated per operation |");
Console.WriteLine("|---|---:|---:|---:|");
var warm = Enumerable.Range(0, Concurrency).Select(_ => Guid.NewGuid()).ToArray();
await ReportAsync("call on an active grain", i => grains.GetGrain<IProbeGrain>(warm[i % Concurrency]).Touch());
await ReportAsync("call on a stateless worker", _ => grains.GetGrain<IProbeWorkerGrain>(0).Touch());
await ReportAsync("activate, one call, deactivate", _ => grains.GetGrain<IProbeGrain>(Guid.NewGuid()).TouchAndLeave());
await ReportAsync("activate, two calls, deactivate", async _ =>
{
    var grain = grains.GetGrain<IProbeGrain>(Guid.NewGuid());
    await grain.Touch();
    await grain.TouchAndLeave();
});
await host.StopAsync();

async Task ReportAsync(string name, Func<int, Task> operation)
{
    await RunAsync(operation, Operations / 5); // warm-up: JIT, thread pool growth
    var runs = new List<(double CpuMicros, double PerSecond, long Bytes)>();
    for (var run = 0; run < 3; run++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await RunAsync(operation, Operations);
        clock.Stop();
        process.Refresh();
        runs.Add(((process.TotalProcessorTime - cpu).TotalMicroseconds / Operations, Operations / clock.Elapsed.TotalSeconds,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / Operations));
    }

    var median = runs.OrderBy(r => r.CpuMicros).ElementAt(1);
    Console.WriteLine($"| {name} | {median.CpuMicros:F1} | {median.PerSecond:N0} | {median.Bytes:N0} |");
}

static async Task RunAsync(Func<int, Task> operation, int count)
{
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            await operation(i);
        }
    }));
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
