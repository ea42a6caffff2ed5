using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Notifly.Tests.Support;

/// <summary>The built <c>notifly</c> binary as a real child process, for tests that SIGKILL it.</summary>
public static class NotiflyProcess
{
    // The last lines each child printed, by its HTTP port: what a start that never got ready says.
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<string>> Output = new();

    /// <param name="environment">Settings as environment variables (<c>Section__Key</c>).</param>
    public static Process Start(int port, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "notifly.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Notifly__Channels__Webhook__AllowedNetworks__0"] = "127.0.0.0/8"; // test receivers are on loopback
        SiloPorts.Assign(start.Environment);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        // Drained so a chatty child never blocks on a full pipe; the tail is kept for diagnosis.
        var tail = Output[port] = new ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            tail.Enqueue(line);
            while (tail.Count > 40 && tail.TryDequeue(out _))
            {
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the process on <paramref name="port"/> answers <c>/health/ready</c> with 200.</summary>
    public static async Task WaitReadyAsync(int port, TimeSpan deadline)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await Eventually.MatchAsync(async () =>
            {
                try { return (await http.GetAsync("/health/ready")).StatusCode; }
                catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
            }, s => s == HttpStatusCode.OK, deadline, "the process to start");
        }
        catch (TimeoutException ex) when (Output.TryGetValue(port, out var tail))
        {
            throw new TimeoutException($"{ex.Message}; it printed:\n{string.Join('\n', tail)}", ex);
        }
    }
}
