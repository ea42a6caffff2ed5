using System.ComponentModel;
using System.Diagnostics;

namespace Notifly.Silo.Hosting;

/// <summary>Runs a command to completion and captures what it printed.</summary>
internal static class ProcessRunner
{
    /// <summary>Runs the command and throws <see cref="ProcessFailedException"/> unless it exits 0.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = await RunUncheckedAsync(fileName, arguments, cancellationToken, workingDirectory, environment);
        return result.ExitCode == 0 ? result : throw new ProcessFailedException(result);
    }

    /// <summary>Runs the command and returns whatever exit code it ended with.</summary>
    public static async Task<ProcessResult> RunUncheckedAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            // A child that prompts must see end-of-file, not hang on the caller's terminal.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var commandLine = string.Join(' ', startInfo.ArgumentList.Prepend(fileName).Select(Quote));
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`: {e.Message}", e);
        }

        process.StandardInput.Close();
        // Drain both pipes while waiting: a child that fills one pipe buffer would otherwise block forever.
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            return new ProcessResult(commandLine, process.ExitCode, await standardOutput, await standardError);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited on its own in the meantime.
            }

            throw;
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
