using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Notifly.Tests.Support;

/// <summary>
/// A real SMTP server (Support/smtp_sink.py on Debian's aiosmtpd) in a child process, on a free
/// loopback port, storing messages as .eml files in a private directory. Recipients named
/// <c>reject-*</c> get 550, <c>busy-*</c> get 451. Share one per test class and tell tests apart
/// by a unique recipient.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    // Debian's interpreter, not the pyenv one on PATH: only Debian's has python3-aiosmtpd.
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromMilliseconds(200);

    private readonly Process process;
    private readonly StringBuilder stderr;
    private readonly FileSystemWatcher watcher;
    private readonly SemaphoreSlim arrived = new(0);
    private readonly Dictionary<string, ReceivedEmail> parsed = [];

    private SmtpSink(Process process, StringBuilder stderr, int port, string directory)
    {
        this.process = process;
        this.stderr = stderr;
        Port = port;
        Directory = directory;
        watcher = new FileSystemWatcher(directory, "*.eml") { NotifyFilter = NotifyFilters.FileName };
        watcher.Renamed += (_, _) => arrived.Release();
        watcher.Created += (_, _) => arrived.Release();
        watcher.EnableRaisingEvents = true;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string Directory { get; }

    /// <param name="security">STARTTLS required (and AUTH, when it names a user) like a relay on the
    /// internet; null is a plain local relay.</param>
    public static async Task<SmtpSink> StartAsync(CancellationToken cancellationToken = default, SmtpSinkSecurity? security = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-smtp-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);

        // The port is free when we look and taken by Python a moment later; someone may take it in
        // between, so a sink that could not bind is started again on another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeTcpPort.Pick();
            var (process, stderr) = Launch(port, directory, security);
            if (await WaitUntilAcceptingAsync(process, port, cancellationToken))
            {
                return new SmtpSink(process, stderr, port, directory);
            }

            await StopAsync(process);
            if (attempt == 3 || cancellationToken.IsCancellationRequested)
            {
                System.IO.Directory.Delete(directory, recursive: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException($"The SMTP sink did not start on port {port}: {Text(stderr)}");
            }
        }
    }

    public IReadOnlyList<ReceivedEmail> Messages()
    {
        lock (parsed)
        {
            return ParseNewFiles();
        }
    }

    /// <summary>
    /// The messages matching <paramref name="where"/> (all by default), in arrival order, once there are at least
    /// <paramref name="count"/>; <see cref="TimeoutException"/> after <paramref name="deadline"/>.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForMessagesAsync(
        int count,
        TimeSpan deadline,
        Func<ReceivedEmail, bool>? where = null,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            IReadOnlyList<ReceivedEmail> matching = [.. Messages().Where(where ?? (_ => true))];
            if (matching.Count >= count)
            {
                return matching;
            }

            var remaining = deadline - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"Expected {count} matching message(s) within {deadline}, got {matching.Count}. Sink output: {Text(stderr)}");
            }

            // Woken by the watcher; the cap re-checks anyway in case inotify dropped an event.
            await arrived.WaitAsync(remaining < RecheckEvery ? remaining : RecheckEvery, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        watcher.Dispose();
        await StopAsync(process);
        arrived.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private IReadOnlyList<ReceivedEmail> ParseNewFiles()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.eml"))
        {
            var name = Path.GetFileName(file);
            if (!parsed.ContainsKey(name))
            {
                parsed[name] = ReceivedEmail.Parse(name, File.ReadAllText(file));
            }
        }

        // File names start with the sink's sequence number, so this is arrival order.
        return [.. parsed.Values.OrderBy(m => m.FileName, StringComparer.Ordinal)];
    }

    private static (Process Process, StringBuilder Stderr) Launch(int port, string directory, SmtpSinkSecurity? security)
    {
        // stdin stays open and unused: the script exits when it closes, so a test host that dies
        // does not leave a server behind.
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] secure = security is null ? [] : ["--tls-cert", security.CertificateFile, "--tls-key", security.KeyFile];
        string[] auth = security?.User is { } user ? ["--auth", $"{user}:{security.Password}"] : [];
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Support", "smtp_sink.py"), "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", directory }.Concat(secure).Concat(auth))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return (process, stderr);
    }

    private static async Task<bool> WaitUntilAcceptingAsync(Process process, int port, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartDeadline);
        try
        {
            // The script says READY once it listens, or ends its output by exiting.
            if (await process.StandardOutput.ReadLineAsync(deadline.Token) != "READY")
            {
                return false;
            }

            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }
}

/// <summary>The sink's certificate and key (PEM files) for STARTTLS, and the one user AUTH accepts, if any.</summary>
public sealed record SmtpSinkSecurity(string CertificateFile, string KeyFile, string? User = null, string? Password = null);
