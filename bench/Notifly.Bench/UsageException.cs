namespace Notifly.Bench;

/// <summary>A bad command line: reported with the usage text and exit code 2, without a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);
