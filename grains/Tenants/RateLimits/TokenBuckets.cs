using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>The persisted per-tenant buckets: one statement per lease (notifly_lease_tokens, migration 0003).</summary>
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

    /// <summary>
    /// Borrows <c>Needed</c> tokens for each tenant in one round trip (Kafka's batches). Tenants
    /// are locked in id order, so two batches sharing tenants wait for each other, never deadlock.
    /// </summary>
    public async Task<Dictionary<Guid, TokenLease>> BorrowAsync(
        IReadOnlyCollection<(Guid TenantId, int Needed)> charges, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ordered = charges.OrderBy(c => c.TenantId).ToArray();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT u.tenant_id, l.granted, l.minute_available, l.hour_available, l.per_minute, l.per_hour, l.burst
              FROM unnest($1::uuid[], $2::integer[]) WITH ORDINALITY AS u(tenant_id, needed, n)
             CROSS JOIN LATERAL notifly_lease_tokens(u.tenant_id, u.needed, $3, true, $4, $5, $6, $7) AS l
             ORDER BY u.n
            """, connection)
            .With(ordered.Select(c => c.TenantId).ToArray()).With(ordered.Select(c => c.Needed).ToArray())
            .With(_options.MaxLeaseBlock).With(now)
            .With(_options.DefaultRequestsPerMinute).With(_options.DefaultRequestsPerHour).With(_options.DefaultBurstLimit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var leases = new Dictionary<Guid, TokenLease>(ordered.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            leases[reader.GetGuid(0)] = Read(reader, 1);
        }

        return leases;
    }

    private static TokenLease Read(NpgsqlDataReader reader, int first = 0) => new(
        reader.GetInt32(first), reader.GetDouble(first + 1), reader.GetDouble(first + 2),
        reader.GetInt32(first + 3), reader.GetInt32(first + 4), reader.GetInt32(first + 5));
}
