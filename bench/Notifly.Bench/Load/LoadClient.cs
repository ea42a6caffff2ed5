using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Load;

/// <summary>
/// The load generator: a child process of this same program (<c>client</c>), started once and
/// given one run at a time. Apart from the server its CPU time can be read on its own; it still
/// shares the machine's cores with the server and PostgreSQL, which the report states.
/// </summary>
public sealed class LoadClient : IAsyncDisposable
{
    private const int MaxStandardErrorChars = 8_000;
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(45); // drain and request timeouts
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _errors = new();

    private LoadClient(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                if (e.Data is not null && _errors.Length < MaxStandardErrorChars)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    public static LoadClient Start()
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running");
        var info = new ProcessStartInfo(self)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Under `dotnet Notifly.Bench.dll` the process is the host; the program is the entry assembly.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        info.ArgumentList.Add("client");
        // A load generator needs no per-core heaps: Server GC would only take memory and cores from the server.
        info.Environment["DOTNET_gcServer"] = "0";
        return new LoadClient(Process.Start(info) ?? throw new InvalidOperationException("could not start the load generator"));
    }

    public async Task<ClientRun> RunAsync(LoadSpec spec, CpuProbe probe, CancellationToken cancellationToken)
    {
        spec.Validate();
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(spec).AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(spec.WarmupSeconds + spec.DurationSeconds) + Slack);
        CpuSample? first = null, last = null;
        DateTimeOffset from = default, to = default;
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == LoadGenerator.MeasuringLine)
                {
                    first = probe.Sample(_process);
                    from = DateTimeOffset.UtcNow;
                }
                else if (line == LoadGenerator.MeasuredLine)
                {
                    last = probe.Sample(_process);
                    to = DateTimeOffset.UtcNow;
                }
                else if (line.StartsWith(LoadGenerator.ResultPrefix, StringComparison.Ordinal))
                {
                    var result = JsonSerializer.Deserialize<LoadResult>(line[LoadGenerator.ResultPrefix.Length..])!;
                    if (first is null || last is null)
                    {
                        break;
                    }

                    return new ClientRun(result, last.Since(first), from, to);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the load generator did not finish in time.{Environment.NewLine}{Errors()}");
        }

        throw new InvalidOperationException($"the load generator stopped without a result.{Environment.NewLine}{Errors()}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // end of input: the child finishes its loop and exits
            using var exit = new CancellationTokenSource(ExitTimeout);
            await _process.WaitForExitAsync(exit.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _process.Kill(entireProcessTree: true); // our own child, by its handle
        }

        _process.Dispose();
    }

    private string Errors()
    {
        lock (_errors)
        {
            return _errors.ToString();
        }
    }
}
