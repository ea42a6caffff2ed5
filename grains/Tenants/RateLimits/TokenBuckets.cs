using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>
/// The persisted per-tenant buckets: one statement per lease (notifly_lease_tokens, migration 0003),
/// made by the tenant's grain (<see cref="TenantGrain"/>), the buckets' one writer in the cluster.
/// </summary>
public sealed class TokenBuckets(Database database, IOptions<RateLimitOptions> options)
{
    private readonly RateLimitOptions _options = options.Value;

    /// <param name="needed">Tokens the caller needs now; the lease may grant a whole block more, or fewer.</param>
    /// <param name="borrow">Grant all of <paramref name="needed"/>, into debt: for requests that will be scheduled, not refused.</param>
    public async Task<TokenLease> LeaseAsync(Guid tenantId, int needed, bool borrow, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT granted, minute_available, hour_available, per_minute, per_hour, burst FROM notifly_lease_tokens($1, $2, $3, $4, $5, $6, $7, $8)",
            connection)
            .With(tenantId).With(needed).With(_options.MaxLeaseBlock).With(borrow).With(now)
            .With(_options.DefaultRequestsPerMinute).With(_options.DefaultRequestsPerHour).With(_options.DefaultBurstLimit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    private static TokenLease Read(NpgsqlDataReader reader) => new(
        reader.GetInt32(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5));
}
