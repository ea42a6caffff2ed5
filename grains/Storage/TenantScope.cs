using Npgsql;

namespace Notifly.Grains.Storage;

/// <summary>A transaction confined to one tenant by Row Level Security. Dispose without commit rolls back.</summary>
public sealed class TenantScope(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    public Guid TenantId { get; } = tenantId;

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
