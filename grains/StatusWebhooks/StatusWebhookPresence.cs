using Microsoft.Extensions.Logging;
using Npgsql;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// Whether any tenant of the deployment has an active status-webhook endpoint, cached per node so
/// the hot paths (turns, intake) skip the delivery insert entirely while none does (docs/0017).
/// Only "none" is ever trusted: while unknown — at start, after a change, when the LISTEN
/// connection was lost or a refresh failed — the insert runs, and the SQL's own join with
/// <c>webhook_endpoints</c> decides which tenants get deliveries. A change on this node counts at
/// once (<see cref="Changed"/> after its commit); other nodes hear of it by NOTIFY.
/// </summary>
public sealed partial class StatusWebhookPresence(Database database, ILogger<StatusWebhookPresence> logger) : IPostgresNotificationHandler
{
    private const int Unknown = 0;
    private const int None = 1;
    private const int Some = 2;

    private readonly Lock _gate = new();
    private int _state = Unknown;
    private int _generation;

    /// <summary>False only when this node knows there is no active endpoint anywhere.</summary>
    public bool MayHaveEndpoints => Volatile.Read(ref _state) != None;

    /// <summary>Endpoints were added, removed, disabled or enabled: forget what we knew and look again.</summary>
    public void Changed()
    {
        int generation;
        lock (_gate)
        {
            generation = ++_generation;
            Volatile.Write(ref _state, Unknown);
        }

        _ = RefreshAsync(generation);
    }

    void IPostgresNotificationHandler.Handle(string channel, string payload)
    {
        if (channel == PostgresChannels.WebhookEndpoints)
        {
            Changed();
        }
    }

    // Changes may have been missed while the connection was down; this is also the first load.
    void IPostgresNotificationHandler.Reconnected() => Changed();

    private async Task RefreshAsync(int generation)
    {
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE is_active)", connection);
            var any = (bool)(await command.ExecuteScalarAsync(CancellationToken.None))!;
            lock (_gate)
            {
                // A change since this refresh began may not be in what it read: its own refresh decides.
                if (_generation == generation)
                {
                    Volatile.Write(ref _state, any ? Some : None);
                }
            }
        }
        catch (Exception ex)
        {
            LogRefreshFailed(ex); // stays unknown: the hot paths keep writing, which is always correct
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read whether status-webhook endpoints exist; writing deliveries regardless")]
    private partial void LogRefreshFailed(Exception ex);
}
