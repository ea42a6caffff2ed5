namespace Notifly.Silo.Hosting;

/// <summary>What a finished child process said and how it ended.</summary>
internal sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError);
