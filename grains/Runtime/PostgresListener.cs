using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Runtime;

/// <summary>
/// Holds one connection in LISTEN on our channels and turns notifications into local signals:
/// reminder wake-ups (only where the reminder service runs: <see cref="DispatchesHere"/>) and
/// status-webhook changes. Reconnects by itself; while it is down, the dispatcher's polling is the
/// fallback.
/// </summary>
public sealed partial class PostgresListener(
    Database database, WakeUpSignal wakeUp, IEnumerable<IPostgresNotificationHandler> handlers, IEnumerable<DispatchesHere> dispatches,
    ILogger<PostgresListener> logger)
    : BackgroundService
{
    private readonly string _reminders = dispatches.Any() ? $"LISTEN {PostgresChannels.Reminders}; " : "";

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests wait on it).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                await using (var command = new NpgsqlCommand(
                    _reminders +
                    $"LISTEN {PostgresChannels.WebhookEndpoints}; LISTEN {PostgresChannels.WebhookDeliveries};", connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening.TrySetResult();
                wakeUp.Wake(); // anything that arrived while we were not listening
                foreach (var handler in handlers)
                {
                    handler.Reconnected();
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private void Dispatch(string channel, string payload)
    {
        if (channel == PostgresChannels.Reminders)
        {
            wakeUp.Wake();
            return;
        }

        foreach (var handler in handlers)
        {
            handler.Handle(channel, payload);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection lost; reconnecting")]
    private partial void LogListenFailed(Exception ex);
}
