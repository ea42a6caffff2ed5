using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Notifly.Bench.Hosting;

namespace Notifly.Chaos;

/// <summary>
/// Debian's <c>redis-server</c> on a loopback port, in memory only, for the cluster's membership
/// (as on Kubernetes, docs/0020). A shell holds it and a pipe from us and stops it when the pipe
/// closes, so a run ended by its time limit leaves no server behind.
/// </summary>
public sealed class RedisProcess : IDisposable
{
    private readonly Process _holder;

    private RedisProcess(Process holder, int port)
    {
        _holder = holder;
        Configuration = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>StackExchange.Redis configuration string.</summary>
    public string Configuration { get; }

    public static async Task<RedisProcess> StartAsync(CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Pick();
        var start = new ProcessStartInfo("/bin/sh",
            ["-c", "redis-server \"$@\" & server=$!; cat >/dev/null; kill $server", "redis",
             "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardInput = true, // never written: its end closes when we die
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var holder = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        holder.OutputDataReceived += (_, _) => { };
        holder.ErrorDataReceived += (_, _) => { };
        holder.BeginOutputReadLine();
        holder.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return new RedisProcess(holder, port);
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        _holder.StandardInput.Close();
        _holder.WaitForExit(5_000);
        _holder.Dispose();
    }
}
