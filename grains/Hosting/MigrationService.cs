using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Hosting;

/// <summary>Applies pending migrations before any other hosted service starts (it is registered first).</summary>
public sealed partial class MigrationService(Database database, ILogger<MigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await Migrator.MigrateAsync(database.DataSource, cancellationToken);
        if (applied.Count > 0)
        {
            LogApplied(string.Join(", ", applied));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migrations: {Migrations}")]
    private partial void LogApplied(string migrations);
}
