using Npgsql;

namespace Notifly.Tests.Support;

/// <summary>
/// A digest of every row a tenant owns, table by table, read as the database owner (past Row
/// Level Security): two equal fingerprints mean no row of the tenant was added, changed or
/// removed. Left out: the rate limiter's token buckets and a key's last_used_at, which every
/// request may move without changing anything the tenant stored.
/// </summary>
public static class TenantFingerprint
{
    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(string connectionString, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT c.table_name FROM information_schema.columns c
              JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
               AND c.table_name <> 'rate_limit_buckets'
             ORDER BY 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var digests = new Dictionary<string, string>();
        foreach (var table in tables.Append("tenants"))
        {
            var key = table == "tenants" ? "id" : "tenant_id";
            await using var command = new NpgsqlCommand(
                $"""
                SELECT count(*) || ':' || coalesce(md5(string_agg((to_jsonb(t) - 'last_used_at')::text, '|' ORDER BY (to_jsonb(t) - 'last_used_at')::text)), '')
                  FROM {table} t WHERE {key} = $1
                """, connection) { Parameters = { new() { Value = tenantId } } };
            digests[table] = (string)(await command.ExecuteScalarAsync())!;
        }

        return digests;
    }
}
