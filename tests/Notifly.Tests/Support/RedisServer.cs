using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Notifly.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> (Debian's) on a free loopback port, in memory only, started once
/// per test run and stopped when the run's process exits, however it exits: a shell holds the
/// server and a pipe from us, and stops the server when the pipe closes (the runner kills test
/// hosts without running exit handlers). Tests give each cluster its own cluster id, so they
/// share the server without seeing each other's membership.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<Task<RedisServer>> Instance = new(StartAsync);

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static Task<RedisServer> GetAsync() => Instance.Value;

    // Kept reachable for the life of the run: its stdin pipe is the server's lifeline.
    private static Process? Holder { get; set; }

    private static async Task<RedisServer> StartAsync()
    {
        var port = FreeTcpPort.Pick();
        var start = new ProcessStartInfo("/bin/sh",
            ["-c", "redis-server \"$@\" & server=$!; cat >/dev/null; kill $server", "redis",
             "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardInput = true, // never written: its end closes when this process dies
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Holder = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        Holder.OutputDataReceived += (_, _) => { };
        Holder.ErrorDataReceived += (_, _) => { };
        Holder.BeginOutputReadLine();
        Holder.BeginErrorReadLine();

        await Eventually.MatchAsync(async () =>
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, up => up, TimeSpan.FromSeconds(20), "redis-server to listen");
        return new RedisServer(port);
    }
}
