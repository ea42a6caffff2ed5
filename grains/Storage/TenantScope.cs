using Npgsql;

namespace Notifly.Grains.Storage;

/// <summary>
/// A transaction confined to one tenant by Row Level Security. Dispose without commit rolls back.
/// Work that must follow the commit (telling other nodes of a change) is registered with
/// <see cref="AfterCommit"/> and runs, in order, once the commit succeeded.
/// </summary>
public sealed class TenantScope(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId) : IAsyncDisposable
{
    private List<Func<Task>>? _afterCommit;

    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    public Guid TenantId { get; } = tenantId;

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <summary>Runs <paramref name="action"/> after a successful commit (its failure then fails the commit's caller).</summary>
    public void AfterCommit(Func<Task> action) => (_afterCommit ??= []).Add(action);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Transaction.CommitAsync(cancellationToken);
        foreach (var action in _afterCommit ?? [])
        {
            await action();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
