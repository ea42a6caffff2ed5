using Npgsql;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Every grain call on this silo: a transient PostgreSQL failure (the database restarting,
/// unreachable, out of space) leaves the grain as a <see cref="DatabaseUnavailableException"/>,
/// which crosses to the calling api node intact and is answered 503 there. Other failures pass
/// through as they are.
/// </summary>
internal sealed class DatabaseFailureCallFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        // Every grain call passes here: one that completed at once costs no extra state machine.
        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? call : TranslateAsync(call);
    }

    private static async Task TranslateAsync(Task call)
    {
        try
        {
            await call;
        }
        catch (NpgsqlException e) when (e.IsTransient)
        {
            NotiflyMetrics.CountDatabaseError(e);
            throw new DatabaseUnavailableException((e as PostgresException)?.SqlState, e.Message);
        }
    }
}
