using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Hosting;

/// <summary>
/// A Notifly node as a child process: the built <c>notifly</c> binary beside the benchmark, its
/// settings passed as environment variables. For a silo that must be killed, or whose CPU must
/// not count as the measured process's. A shell holds the node and a pipe from the benchmark,
/// and kills the node when that pipe closes: a benchmark stopped by its time limit leaves no
/// node behind. The shell exits with the node. (The watcher reads the pipe through fd 3: a
/// background list's own stdin is /dev/null in a non-interactive shell. It holds none of the
/// node's output pipes, so a node that exits by itself ends its output even while the watcher waits.)
/// </summary>
public sealed class ChildNode : IDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(120);

    // The holding shells of the nodes alive now.
    private static readonly ConcurrentDictionary<int, byte> Live = new();

    private ChildNode(Process process, int port)
    {
        Process = process;
        Port = port;
    }

    public Process Process { get; }

    public int Port { get; }

    /// <summary>Starts the node and waits until it answers <c>/health/ready</c>.</summary>
    /// <param name="log">A file the node's output is appended to; by default it is read and dropped.</param>
    public static async Task<ChildNode> StartAsync(
        IEnumerable<KeyValuePair<string, string?>> settings, CancellationToken cancellationToken, string? log = null)
    {
        var port = LoopbackPort.Pick();
        var start = new ProcessStartInfo("/bin/sh",
            ["-c", "exec 3<&0; dotnet \"$@\" & node=$!; (cat <&3; kill $node) >/dev/null 2>&1 & wait $node", "notifly",
             Path.Combine(AppContext.BaseDirectory, "notifly.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardInput = true, // never written: its end closes when the benchmark dies
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            var name = key.Replace(":", "__", StringComparison.Ordinal);
            if (name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                start.Environment[name] = value;
            }
            else
            {
                // The shell drops variables whose names it cannot hold (a log category's dots):
                // such a setting goes on the command line instead.
                start.ArgumentList.Add($"--{key}={value}");
            }
        }

        var process = Process.Start(start)!;
        Live[process.Id] = 0;
        if (log is null)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
        }
        else
        {
            var writer = TextWriter.Synchronized(new StreamWriter(log, append: true) { AutoFlush = true });
            process.OutputDataReceived += (_, line) => Write(writer, line.Data);
            process.ErrorDataReceived += (_, line) => Write(writer, line.Data);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new ChildNode(process, port);
        try
        {
            await node.WaitReadyAsync(cancellationToken);
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL to the node and its shell: no shutdown, no draining.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        Live.TryRemove(Process.Id, out _);
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>
    /// CPU ticks of the child nodes alive now (each shell and what it started): they are Notifly
    /// too, so the probe adds them to this process's. A node that exits takes its ticks with it,
    /// so phases kill theirs only after their window.
    /// </summary>
    public static long LiveTicks()
    {
        if (Live.IsEmpty)
        {
            return 0;
        }

        long total = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ProcStat.TryRead(pid) is { } stat && (Live.ContainsKey(pid) || Live.ContainsKey(stat.ParentId)))
            {
                total += stat.OwnTicks;
            }
        }

        return total;
    }

    /// <summary>
    /// Waits until the child nodes alive now use under 5 % of a core over a second, or
    /// <paramref name="deadline"/> passes; returns how long that took. A freshly started silo keeps
    /// the runtime's tiered compiler busy for a while after it answers, which a deployed silo has
    /// long finished: measured phases should not pay for it.
    /// </summary>
    public static async Task<TimeSpan> WaitQuietAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (Live.IsEmpty)
        {
            return TimeSpan.Zero;
        }

        var before = LiveTicks();
        while (clock.Elapsed < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var now = LiveTicks();
            if (now - before < ProcStat.TicksPerSecond / 20)
            {
                break;
            }

            before = now;
        }

        return clock.Elapsed;
    }

    private static void Write(TextWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        writer.WriteLine(line); // flushed at once and never closed: a node's last lines are the ones that explain its end
    }

    public void Dispose()
    {
        Live.TryRemove(Process.Id, out _);
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the child node exited with {Process.ExitCode} before it was ready");
            }

            try
            {
                if ((await http.GetAsync("/health/ready", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (clock.Elapsed > ReadyDeadline)
            {
                throw new TimeoutException("the child node did not become ready");
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
