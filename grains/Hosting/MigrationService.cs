using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Hosting;

/// <summary>
/// Applies pending migrations before any other hosted service starts (it is registered first).
/// A database that is restarting or not up yet (a node started with it, or during its failover)
/// is waited for, up to <see cref="StartupWait"/>, rather than failing the start: a pod would
/// otherwise crash and be restarted in a loop. Refused credentials or a missing database fail at
/// once.
/// </summary>
public sealed partial class MigrationService(Database database, ILogger<MigrationService> logger) : IHostedService
{
    public static readonly TimeSpan StartupWait = TimeSpan.FromMinutes(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The wall clock, not the app's TimeProvider: a test's manual clock must not stall a start.
        var started = Stopwatch.StartNew();
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var applied = await Migrator.MigrateAsync(database.DataSource, cancellationToken);
                if (applied.Count > 0)
                {
                    LogApplied(string.Join(", ", applied));
                }

                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && started.Elapsed + delay < StartupWait)
            {
                LogWaiting(e.Message, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migrations: {Migrations}")]
    private partial void LogApplied(string migrations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not answering at start ({Reason}); trying again in {Delay}")]
    private partial void LogWaiting(string reason, TimeSpan delay);
}
