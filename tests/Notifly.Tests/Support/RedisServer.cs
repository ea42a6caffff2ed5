using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Notifly.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> (Debian's) on a free loopback port, in memory only, started once
/// per test run and killed when the run's process exits. Tests give each cluster its own
/// cluster id, so they share the server without seeing each other's membership.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<Task<RedisServer>> Instance = new(StartAsync);

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static Task<RedisServer> GetAsync() => Instance.Value;

    private static async Task<RedisServer> StartAsync()
    {
        var port = FreeTcpPort.Pick();
        var start = new ProcessStartInfo("redis-server",
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        };

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
