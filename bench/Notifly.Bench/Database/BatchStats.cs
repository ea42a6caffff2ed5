using System.Globalization;
using Npgsql;

namespace Notifly.Bench.Database;

/// <summary>
/// How intake grouped a tenant's requests into transactions, read back from the rows: IntakeBatch
/// stamps every row of one transaction with the same created_at, so rows per distinct created_at
/// are the batch sizes, measured without touching intake's code.
/// </summary>
public sealed record BatchStats(long Rows, long Batches, double Mean, long P50, long P99, long Max)
{
    public static async Task<BatchStats> ReadAsync(
        NpgsqlDataSource dataSource, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(sum(n), 0)::bigint, count(*), coalesce(avg(n), 0)::float8,
                   coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY n), 0),
                   coalesce(percentile_disc(0.99) WITHIN GROUP (ORDER BY n), 0), coalesce(max(n), 0)
              FROM (SELECT count(*) AS n FROM notifications
                     WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
                     GROUP BY created_at) AS batches
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = tenantId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new BatchStats(reader.GetInt64(0), reader.GetInt64(1), Math.Round(reader.GetDouble(2), 1),
            reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    /// <summary>Every row the tenant has: after a run, at least one per 202 the client received.</summary>
    public static async Task<long> CountRowsAsync(NpgsqlDataSource dataSource, Guid tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM notifications WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = tenantId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Batches} transactions of {Mean} rows on average (p50 {P50}, p99 {P99}, max {Max})");
}
