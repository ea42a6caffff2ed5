using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Security;

/// <summary>
/// Key rotation's second half (docs/0015): once a node starts with a new <c>ActiveKey</c>, every
/// sealed secret still under an older key is re-sealed, after which the old key can be removed
/// from configuration. Runs once at start, in the background; sealed values stay readable with
/// either key meanwhile.
/// </summary>
public sealed partial class SecretRewrapService(
    Database database, SecretBox box, IEnumerable<SealedSecretColumn> columns, ILogger<SecretRewrapService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!box.IsConfigured)
        {
            return;
        }

        foreach (var column in columns)
        {
            try
            {
                var (rewrapped, unreadable) = await column.RewrapAsync(database, box, stoppingToken);
                if (rewrapped > 0)
                {
                    LogRewrapped(rewrapped, column.Table, box.ActiveKeyId!);
                }

                if (unreadable > 0)
                {
                    LogUnreadable(unreadable, column.Table);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex, column.Table);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-sealed {Count} secrets in {Table} under key {KeyId}")]
    private partial void LogRewrapped(int count, string table, string keyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} secrets in {Table} are sealed under a key that is no longer configured; they cannot be used")]
    private partial void LogUnreadable(int count, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-sealing secrets in {Table} failed; the next start tries again")]
    private partial void LogFailed(Exception ex, string table);
}
