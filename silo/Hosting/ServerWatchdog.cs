using System.ComponentModel;
using System.Diagnostics;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Stops a private server when the process that started it dies without stopping it (SIGKILL, a
/// test host killed by its runner, a crash). pg_ctl detaches the postmaster, so nothing else would:
/// the server would hold its port and its directory until the machine restarts.
/// </summary>
/// <remarks>
/// The watchdog is a shell in its own session (so a Ctrl-C to our process group spares it) that
/// blocks reading a pipe from us. The kernel closes our end when we die, however we die; a clean
/// stop writes "done" first, so that end-of-file alone means the owner is gone.
/// </remarks>
internal sealed class ServerWatchdog : IDisposable
{
    private const string Script = """
        data=$1 sockets=$2 mode=$3 delete=$4
        shift 4
        IFS= read -r line
        [ "$line" = done ] && exit 0
        "$@" -D "$data" -m "$mode" -w stop >/dev/null 2>&1
        [ "$delete" = yes ] && rm -rf -- "$data"
        [ -n "$sockets" ] && rm -rf -- "$sockets"
        exit 0
        """;

    private readonly Process _process;

    private ServerWatchdog(Process process) => _process = process;

    public static ServerWatchdog Start(PostgresBinaries binaries, string dataDirectory, string? ownSocketDirectory, bool keepData)
    {
        var (pgCtl, pgCtlArguments) = binaries.Command("pg_ctl", []);
        var setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);
        var startInfo = new ProcessStartInfo(setsid ?? "/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        List<string> arguments = setsid is null ? [] : ["/bin/sh"];
        arguments.AddRange(["-c", Script, "notifly-pg-watchdog", dataDirectory, ownSocketDirectory ?? string.Empty,
            keepData ? "fast" : "immediate", keepData ? "no" : "yes", pgCtl]);
        arguments.AddRange(pgCtlArguments);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            return new ServerWatchdog(Process.Start(startInfo)!);
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start the PostgreSQL watchdog shell: {e.Message}", e);
        }
    }

    /// <summary>Tells the watchdog that the server was stopped properly and it can go.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.WriteLine("done");
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The watchdog is already gone (killed along with a process tree): nothing to dismiss.
        }

        _process.Dispose();
    }
}
