namespace Notifly.Silo.Hosting;

/// <summary>A child process exited non-zero; the message carries both of its output streams.</summary>
public sealed class ProcessFailedException : Exception
{
    internal ProcessFailedException(ProcessResult result)
        : base(Describe(result))
    {
        CommandLine = result.CommandLine;
        ExitCode = result.ExitCode;
        StandardOutput = result.StandardOutput;
        StandardError = result.StandardError;
    }

    public string CommandLine { get; }

    public int ExitCode { get; }

    public string StandardOutput { get; }

    public string StandardError { get; }

    private static string Describe(ProcessResult result) =>
        $"`{result.CommandLine}` exited with code {result.ExitCode}." +
        $"{Environment.NewLine}--- stdout ---{Environment.NewLine}{result.StandardOutput.TrimEnd()}" +
        $"{Environment.NewLine}--- stderr ---{Environment.NewLine}{result.StandardError.TrimEnd()}";
}
