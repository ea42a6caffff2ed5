using Microsoft.Extensions.Logging;

namespace Notifly.Silo.Hosting;

/// <summary>
/// An api node waits for the cluster rather than failing to start (docs/0021): in Kubernetes the
/// api pods may come up before any silo. It retries every second, logging every tenth attempt.
/// </summary>
internal sealed partial class GatewayRetry(ILogger<GatewayRetry> logger) : IClientConnectionRetryFilter
{
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (++_attempts % 10 == 1)
        {
            LogWaiting(_attempts, exception.Message);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Orleans gateway answers yet (attempt {Attempts}): {Reason}")]
    private partial void LogWaiting(int attempts, string reason);
}
