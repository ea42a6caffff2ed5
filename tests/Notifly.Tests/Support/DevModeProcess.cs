using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Notifly.Tests.Support;

/// <summary>
/// <c>notifly dev</c> (what ./run.sh runs) as a child process: the built binary with its own
/// NOTIFLY_HOME in a private temporary directory, its private PostgreSQL, embedded Kafka and local
/// mailbox. Ready once it has printed its banner; stopped with SIGTERM, as Ctrl-C would, so that it
/// stops its PostgreSQL itself.
/// </summary>
public sealed partial class DevModeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output;

    private DevModeProcess(Process process, StringBuilder output, string home, string baseAddress)
    {
        _process = process;
        _output = output;
        Home = home;
        BaseAddress = baseAddress;
    }

    /// <summary>NOTIFLY_HOME: deleted on dispose.</summary>
    public string Home { get; }

    public string BaseAddress { get; }

    /// <summary>The demo tenant's admin key, as the banner printed it.</summary>
    public string ApiKey { get; private set; } = string.Empty;

    /// <summary>Everything the process printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<DevModeProcess> StartAsync(TimeSpan deadline)
    {
        var home = Path.Combine(Path.GetTempPath(), $"notifly-devmode-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        var baseAddress = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreeTcpPort.Pick()}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "notifly.dll"), "dev", "--urls", baseAddress])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["NOTIFLY_HOME"] = home;
        // Single-node mode as a user gets it: no mail server, Kafka or database from whoever runs the tests.
        foreach (var inherited in start.Environment.Keys.Where(k =>
                     k.StartsWith("Notifly__", StringComparison.Ordinal) || k.StartsWith("Kafka__", StringComparison.Ordinal) ||
                     k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        SiloPorts.Assign(start.Environment); // other tests' nodes hold the default ports

        var output = new StringBuilder();
        var banner = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (ApiKeyLine().Match(e.Data) is { Success: true } match)
            {
                banner.TrySetResult(match.Groups["key"].Value);
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var running = new DevModeProcess(process, output, home, baseAddress);
        try
        {
            var ready = await Task.WhenAny(banner.Task, process.WaitForExitAsync()).WaitAsync(deadline);
            if (ready != banner.Task)
            {
                throw new InvalidOperationException($"notifly dev exited with {process.ExitCode} before it was ready:{Environment.NewLine}{running.Output}");
            }

            running.ApiKey = await banner.Task;
            return running;
        }
        catch (TimeoutException)
        {
            await running.DisposeAsync();
            throw new TimeoutException($"notifly dev printed no banner within {deadline}:{Environment.NewLine}{running.Output}");
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host shuts down and stops its PostgreSQL. Only if that hangs, SIGKILL, after
            // which the server's watchdog stops PostgreSQL instead.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(StopDeadline);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A watchdog still stopping the server may hold a file a moment longer; /tmp is cleaned anyway.
        }
    }

    [GeneratedRegex(@"admin API key: (?<key>\S+)")]
    private static partial Regex ApiKeyLine();
}
