using System.Diagnostics;

namespace Notifly.Tests.Support;

/// <summary>The built <c>notifly</c> binary as a real child process, for tests that SIGKILL it.</summary>
public static class NotiflyProcess
{
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
        // Drained so a chatty child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
