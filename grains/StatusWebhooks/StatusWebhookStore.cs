using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// The dispatcher's side of <c>webhook_deliveries</c>, as system work across tenants: claim due
/// deliveries under a lease, record outcomes set-based, keep endpoints' failure runs and disable
/// those that fail too long. Finished deliveries go with their day's partition (RetentionService).
/// </summary>
internal sealed class StatusWebhookStore(Database database)
{
    /// <summary>
    /// Claims up to <paramref name="max"/> due deliveries with <c>FOR UPDATE SKIP LOCKED</c> and
    /// leases them by pushing <c>next_attempt_at</c> out by <paramref name="lease"/>, counting the
    /// attempt now: a node that dies mid-call leaves a lease that expires, and another attempt
    /// follows. Deliveries of a deleted endpoint are dropped and of a disabled one failed here.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = new List<ClaimedDelivery>();
        var orphans = new List<Guid>();
        var disabled = new List<Guid>();
        await using (var command = new NpgsqlCommand(
            """
            WITH due AS (
                SELECT id FROM webhook_deliveries
                 WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $1
                 ORDER BY next_attempt_at
                 LIMIT $2
                   FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE webhook_deliveries d
                   SET attempt_count = d.attempt_count + 1, last_attempt_at = $1, next_attempt_at = $1 + $3::interval
                  FROM due
                 WHERE d.id = due.id
                RETURNING d.id, d.tenant_id, d.endpoint_id, d.event_type, d.payload, d.attempt_count, d.round_start
            )
            SELECT c.id, c.tenant_id, c.endpoint_id, c.event_type, c.payload::text, c.attempt_count, c.round_start,
                   e.id IS NOT NULL, coalesce(e.is_active, false), e.url, e.headers::text, e.timeout_seconds,
                   e.secret, e.previous_secret, e.previous_secret_expires_at
              FROM claimed c
              LEFT JOIN webhook_endpoints e ON e.id = c.endpoint_id
            """, connection, transaction).With(now).With(max).With(lease))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetGuid(0);
                if (!reader.GetBoolean(7))
                {
                    orphans.Add(id);
                    continue;
                }

                if (!reader.GetBoolean(8))
                {
                    disabled.Add(id);
                    continue;
                }

                claimed.Add(new ClaimedDelivery(
                    id, reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt32(6),
                    reader.GetString(9), JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(10))!, reader.GetInt32(11),
                    reader.GetFieldValue<byte[]>(12),
                    reader.IsDBNull(13) ? null : reader.GetFieldValue<byte[]>(13),
                    reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14)));
            }
        }

        if (orphans.Count > 0 || disabled.Count > 0)
        {
            // Written by a turn that saw the endpoint just before it was deleted or disabled.
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("DELETE FROM webhook_deliveries WHERE id = ANY($1)").With(orphans.ToArray()),
                    new NpgsqlBatchCommand(
                        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, error = $2 WHERE id = ANY($1)")
                        .With(disabled.ToArray()).With(EndpointDisabledError),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return claimed;
    }

    public const string EndpointDisabledError = "ENDPOINT_DISABLED: the endpoint was disabled before this delivery could be made";

    /// <summary>
    /// Records finished attempts in one transaction: each delivery's new state (only if no later
    /// claim took it over), each endpoint's run of failures, and the endpoints that crossed the
    /// disable rule — their queued deliveries fail with them, and every node hears of it.
    /// </summary>
    /// <returns>The endpoints disabled, with their tenants.</returns>
    public async Task<IReadOnlyList<(Guid EndpointId, Guid TenantId)>> RecordAsync(
        IReadOnlyList<DeliveryResult> results, int disableAfterFailures, TimeSpan disableAfterFailingFor, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var runs = results
            .GroupBy(r => r.Delivery.EndpointId)
            .Select(g =>
            {
                // In completion order: a success resets the run, failures after it start a new one.
                var ordered = g.OrderBy(r => r.FinishedAt).ToArray();
                var lastSuccess = Array.FindLastIndex(ordered, r => r.Call.Kind == OutcomeKind.Success);
                var failures = ordered.Skip(lastSuccess + 1).ToArray();
                return (EndpointId: g.Key, Reset: lastSuccess >= 0, Failures: failures.Length,
                    FirstFailure: failures.Length > 0 ? failures[0].FinishedAt : (DateTimeOffset?)null,
                    LastError: failures.Length > 0 ? failures[^1].Call.Error : null);
            })
            .ToArray();
        var failing = runs.Where(r => r.Failures > 0).ToArray();

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                UPDATE webhook_deliveries d
                   SET status = u.status, next_attempt_at = u.next_attempt_at, response_status = u.response_status,
                       response_body = u.response_body, error = u.error
                  FROM unnest($1::uuid[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::text[])
                       AS u(id, attempt, status, next_attempt_at, response_status, response_body, error)
                 WHERE d.id = u.id AND d.attempt_count = u.attempt AND d.status IN ('pending', 'retrying')
                """)
                .With(results.Select(r => r.Delivery.Id).ToArray())
                .With(results.Select(r => r.Delivery.Attempt).ToArray())
                .With(results.Select(r => r.Status.Name()).ToArray())
                .With(results.Select(r => r.NextAttemptAt).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
                .With(results.Select(r => r.Call.ResponseStatus).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)
                .With(results.Select(r => r.Call.ResponseBody).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(results.Select(r => r.Call.Error).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));

            // The endpoint row is written only when its run changes: a healthy endpoint's
            // successes cost no update and take no lock.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                UPDATE webhook_endpoints e
                   SET consecutive_failures = CASE WHEN u.reset THEN u.failures ELSE e.consecutive_failures + u.failures END,
                       failing_since = CASE WHEN u.failures = 0 THEN NULL
                                            WHEN u.reset THEN u.first_failure
                                            ELSE coalesce(e.failing_since, u.first_failure) END
                  FROM unnest($1::uuid[], $2::boolean[], $3::int[], $4::timestamptz[]) AS u(id, reset, failures, first_failure)
                 WHERE e.id = u.id AND (u.failures > 0 OR e.consecutive_failures <> 0)
                """)
                .With(runs.Select(r => r.EndpointId).ToArray())
                .With(runs.Select(r => r.Reset).ToArray())
                .With(runs.Select(r => r.Failures).ToArray())
                .With(runs.Select(r => r.FirstFailure).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz));
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        var disabled = new List<(Guid, Guid)>();
        if (failing.Length > 0)
        {
            await using var command = new NpgsqlCommand(
                $"""
                WITH disabled AS (
                    UPDATE webhook_endpoints e
                       SET is_active = false, disabled_at = $2, updated_at = $2,
                           disabled_reason = format('%s failed attempts in a row since %s; last: %s',
                                                    e.consecutive_failures, e.failing_since, u.last_error)
                      FROM unnest($1::uuid[], $5::text[]) AS u(id, last_error)
                     WHERE e.id = u.id AND e.is_active AND e.consecutive_failures >= $3 AND e.failing_since <= $2 - $4::interval
                    RETURNING e.id, e.tenant_id
                ), abandoned AS (
                    UPDATE webhook_deliveries d
                       SET status = 'failed', next_attempt_at = NULL, error = $6
                      FROM disabled
                     WHERE d.endpoint_id = disabled.id AND d.status IN ('pending', 'retrying')
                )
                SELECT id, tenant_id, pg_notify('{PostgresChannels.WebhookEndpoints}', tenant_id::text) FROM disabled
                """, connection, transaction)
                .With(failing.Select(r => r.EndpointId).ToArray()).With(now).With(disableAfterFailures).With(disableAfterFailingFor)
                .With(failing.Select(r => r.LastError).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(EndpointDisabledError);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                disabled.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return disabled;
    }

    /// <summary>When the earliest queued delivery is due (a lease's end included), so the dispatcher can sleep that long.</summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status IN ('pending', 'retrying')", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }
}
