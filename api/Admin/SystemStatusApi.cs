using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Notifly.Api.Auth;
using Notifly.Grains.Kafka;
using Notifly.Grains.Storage;
using Orleans;
using Orleans.Runtime;

namespace Notifly.Api.Admin;

/// <summary>How PostgreSQL answered this request: its round trip in milliseconds.</summary>
public sealed record DatabaseStatus(double LatencyMs);

/// <summary>The Orleans cluster as its membership sees it: silos active now.</summary>
public sealed record ClusterStatus(int ActiveSilos);

/// <summary>
/// Kafka from the tenant's side: whether it is on, and the tenant's status events waiting in the
/// outbox for the relay (counted up to <see cref="SystemStatusApi.PendingCountCap"/>) with the age
/// of the oldest. A growing age says the relay cannot reach Kafka.
/// </summary>
public sealed record KafkaStatus(bool Configured, int StatusEventsPending, double? OldestPendingSeconds);

/// <summary><c>GET /api/admin/system</c>: the overview's health panel.</summary>
public sealed record SystemStatus(DatabaseStatus Database, ClusterStatus Cluster, KafkaStatus Kafka, DateTimeOffset CheckedAt);

/// <summary>
/// <c>GET /api/admin/system</c> (inspect): PostgreSQL's round trip, the silos active, and the
/// tenant's own outbox backlog to Kafka. A failure to reach PostgreSQL is the error handler's 503.
/// </summary>
public static class SystemStatusApi
{
    public const int PendingCountCap = 10_000;

    public static async Task<Ok<SystemStatus>> Get(
        HttpContext context, Database database, IGrainFactory grains, IOptions<KafkaOptions> kafka, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        // Row Level Security keeps both reads to the caller's tenant; the cap bounds a backlog's cost.
        await using var command = scope.Command(
            $"""
            SELECT (SELECT count(*) FROM (SELECT 1 FROM notification_outbox WHERE sent_at IS NULL LIMIT {PendingCountCap}) pending),
                   (SELECT created_at FROM notification_outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1)
            """);
        int pending;
        DateTimeOffset? oldest;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            pending = (int)reader.GetInt64(0);
            oldest = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        }

        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new SystemStatus(
            new DatabaseStatus(Math.Round(latency, 1)),
            new ClusterStatus(hosts.Count),
            new KafkaStatus(!string.IsNullOrWhiteSpace(kafka.Value.BootstrapServers), pending,
                oldest is { } at ? Math.Max(0, (now - at).TotalSeconds) : null),
            now));
    }
}
