using System.Net.Http.Json;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Tests.Tenants.RateLimits;

/// <summary>Sets a tenant's limits through the API and reads the rate-limit state straight from PostgreSQL.</summary>
public static class RateLimitProbe
{
    public static async Task SetLimitsAsync(this HttpClient admin, int perMinute, int perHour, int burst)
    {
        var response = await admin.PutAsJsonAsync("/api/admin/settings",
            new { rateLimits = new { requestsPerMinute = perMinute, requestsPerHour = perHour, burstLimit = burst } }, Json.Options);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
    }

    public static Task<long> NotificationsAsync(string connectionString, Guid tenantId) =>
        ScalarAsync(connectionString, "SELECT count(*) FROM notifications WHERE tenant_id = $1", tenantId);

    /// <summary>Statements that touched the tenant's bucket row (the lease function counts them).</summary>
    public static Task<long> LeasesAsync(string connectionString, Guid tenantId) =>
        ScalarAsync(connectionString, "SELECT coalesce((SELECT leases FROM rate_limit_buckets WHERE tenant_id = $1), 0)", tenantId);

    private static async Task<long> ScalarAsync(string connectionString, string sql, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
