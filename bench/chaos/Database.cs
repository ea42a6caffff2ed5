using Npgsql;

namespace Notifly.Chaos;

/// <summary>Queries that wait out a restarting PostgreSQL.</summary>
public static class Database
{
    public static async Task<long> CountAsync(string connectionString, string sql, object parameter, CancellationToken cancellationToken) =>
        (await ReadAsync(connectionString, sql, [parameter], r => r.GetInt64(0), cancellationToken)).Single();

    public static async Task<List<T>> ReadAsync<T>(
        string connectionString, string sql, object[] parameters, Func<NpgsqlDataReader, T> row, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(sql, connection);
                foreach (var parameter in parameters)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = parameter });
                }

                var rows = new List<T>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(row(reader));
                }

                return rows;
            }
            catch (NpgsqlException) when (attempt < 100)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
