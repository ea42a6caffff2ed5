using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Runtime;

/// <summary>
/// Runs NotificationGrain turns on PostgreSQL (ARCHITECTURE.md §3): each turn locks the grain's
/// row, applies <see cref="NotificationMachine"/>, and writes state and effects in the same
/// transaction. Many grains' turns share one transaction; each stays atomic and ordered.
/// Status changes and dead letters go to the Kafka outbox only when Kafka is configured, so a
/// REST-only deployment writes no rows nobody would publish. <c>policy</c> is the deployment's
/// retry policy, for notifications accepted without one bound (docs/0008): no turn reads the
/// tenant's policies. Status changes become status-webhook deliveries only while some tenant may
/// have an endpoint (docs/0017).
/// </summary>
public sealed class NotificationStore(
    Database database, TimeProvider time, RetryPolicy policy, IOptions<KafkaOptions> kafka, OutboxSignal outboxSignal,
    StatusWebhookPresence webhookPresence, StatusWebhookSignal webhookSignal)
{
    private readonly bool _outbox = kafka.Value.Enabled;

    /// <summary>
    /// Claims due reminders, fires them and returns the attempts to start. Both the reminder and
    /// the grain row are taken with SKIP LOCKED, so the dispatcher never waits behind a result
    /// turn and two nodes never claim the same grain.
    /// </summary>
    /// <param name="max">Attempts to start at most (free slots).</param>
    /// <param name="maxBulk">Of those, normal- or low-priority ones at most (free unreserved slots).</param>
    /// <param name="fairShare">
    /// Reminders taken from one tenant's queue at one priority at least, when it has them; more
    /// when there are few queues (an even split of <paramref name="max"/>).
    /// </param>
    /// <param name="inFlight">Attempts this node is running per tenant: the least-served tenant goes first.</param>
    /// <param name="owner">The silo that will run the attempts: their reminders name it until the results land.</param>
    public async Task<IReadOnlyList<SendWork>> ClaimAndFireAsync(
        int max, int maxBulk, int fairShare, IReadOnlyDictionary<Guid, int> inFlight, TimeSpan lease, string owner,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var claimed = new List<Guid>();
        var bulk = 0;
        await using (var command = new NpgsqlCommand(
            """
            -- The queues: every (priority, tenant) with reminders, found by skipping through the
            -- index one queue at a time (a loose index scan), so a queue's length costs nothing.
            WITH RECURSIVE queues AS (
                (SELECT priority, tenant_id FROM reminders WHERE kind = 'notification' ORDER BY priority, tenant_id LIMIT 1)
                UNION ALL
                SELECT next.priority, next.tenant_id
                  FROM queues q
                 CROSS JOIN LATERAL (SELECT r.priority, r.tenant_id FROM reminders r
                                      WHERE r.kind = 'notification' AND (r.priority, r.tenant_id) > (q.priority, q.tenant_id)
                                      ORDER BY r.priority, r.tenant_id LIMIT 1) next
            ), live AS (
                -- a suspended tenant's work waits, due, until an operator resumes it
                SELECT q.* FROM queues q
                 WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = q.tenant_id AND t.status = 'SUSPENDED')
            ), sharing AS (
                SELECT priority, count(*) AS queues FROM live GROUP BY priority
            )
            -- The oldest due reminders of each queue, at most a fair share each. Most urgent
            -- priority first; within it, round-robin over tenants, counting what each already has
            -- in flight here, so a flooding tenant waits its turn even when slots free one at a
            -- time. Rows locked here but cut by the LIMIT are released at commit.
            SELECT c.grain_id, c.priority
              FROM live q
              JOIN sharing USING (priority)
             CROSS JOIN LATERAL (SELECT r.grain_id, r.priority, r.due_at FROM reminders r
                                  WHERE r.kind = 'notification' AND r.priority = q.priority AND r.tenant_id = q.tenant_id
                                    AND r.due_at <= $1
                                  ORDER BY r.due_at
                                  -- a fair share, or more when few queues of this priority share
                                  -- the claim: a lone urgent queue must not be held to a trickle
                                  LIMIT greatest($3, $2 / sharing.queues)
                                    FOR UPDATE SKIP LOCKED) c
              LEFT JOIN unnest($4::uuid[], $5::int[]) AS f(tenant_id, in_flight) ON f.tenant_id = q.tenant_id
             ORDER BY c.priority,
                      row_number() OVER (PARTITION BY q.priority, q.tenant_id ORDER BY c.due_at) + coalesce(f.in_flight, 0),
                      c.due_at
             LIMIT $2
            """, connection, transaction)
            .With(now).With(max).With(fairShare).With(inFlight.Keys.ToArray()).With(inFlight.Values.ToArray()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if ((Priority)reader.GetInt16(1) >= Priority.Normal)
                {
                    if (bulk == maxBulk)
                    {
                        continue; // its slots are taken: it stays due, for the next claim with room
                    }

                    bulk++;
                }

                claimed.Add(reader.GetGuid(0));
            }
        }

        if (claimed.Count == 0)
        {
            return [];
        }

        var rows = new List<(NotificationState State, short Priority, SendContext Context)>();
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT {GrainRow.Columns}, n.correlation_id, n.event_type, n.payload::text, n.recipient::text,
                   n.user_id, n.subject, n.body, n.created_at, t.webhook_secret, n.body_html, n.send_at, n.trace_parent
              FROM notifications n
              JOIN tenants t ON t.id = n.tenant_id
             WHERE n.id = ANY($1)
             ORDER BY n.id
               FOR UPDATE OF n SKIP LOCKED
            """, connection, transaction).With(claimed.ToArray()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var (state, priority) = GrainRow.Read(reader);
                const int c = GrainRow.Count; // this query's own columns follow the grain's
                rows.Add((state, priority, new SendContext(
                    reader.GetGuid(c), reader.GetString(c + 1), reader.GetString(c + 2),
                    JsonSerializer.Deserialize<Recipient>(reader.GetString(c + 3), Json.Options)!,
                    reader.IsDBNull(c + 4) ? null : reader.GetString(c + 4),
                    reader.IsDBNull(c + 5) ? null : reader.GetString(c + 5),
                    reader.IsDBNull(c + 6) ? null : reader.GetString(c + 6),
                    reader.GetFieldValue<DateTimeOffset>(c + 7),
                    reader.GetString(c + 8),
                    reader.GetBoolean(c + 9),
                    reader.IsDBNull(c + 10) ? null : reader.GetFieldValue<DateTimeOffset>(c + 10),
                    reader.IsDBNull(c + 11) ? null : reader.GetString(c + 11))));
            }
        }

        if (rows.Count < claimed.Count)
        {
            // A claimed reminder whose grain row is gone (deleted by hand or by retention) would
            // come due forever and keep the dispatcher spinning: drop it. Rows merely locked by
            // another turn still exist and keep their reminder.
            await using var orphans = new NpgsqlCommand(
                """
                DELETE FROM reminders r
                 WHERE r.kind = 'notification' AND r.grain_id = ANY($1)
                   AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = r.grain_id)
                """, connection, transaction).With(claimed.Except(rows.Select(r => r.State.Id)).ToArray());
            await orphans.ExecuteNonQueryAsync(cancellationToken);
        }

        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return [];
        }

        var fire = new NotificationCommand.Fire(lease);
        var turns = rows.Select(r => (r.State, NotificationMachine.Apply(r.State, fire, now, policy))).ToArray();
        var webhooks = await TurnWriter.WriteAsync(connection, transaction, turns, rows.Select(r => r.Priority).ToArray(), now, _outbox,
            webhookPresence.MayHaveEndpoints, owner, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        WakeRelay(webhooks);

        var work = new List<SendWork>();
        for (var i = 0; i < rows.Count; i++)
        {
            var c = rows[i].Context;
            foreach (var start in turns[i].Item2.Starts)
            {
                work.Add(new SendWork(rows[i].State.Id, rows[i].State.TenantId, c.CorrelationId, start.Channel, start.Attempt,
                    c.EventType, c.PayloadJson, c.Recipient, c.UserId, c.Subject, c.Body, c.CreatedAt, c.WebhookSecret,
                    (Priority)rows[i].Priority, c.BodyIsHtml, c.SendAt, c.TraceParent));
            }
        }

        return work;
    }

    /// <summary>Records finished attempts: one result turn per attempt, all in one transaction.</summary>
    /// <param name="owner">The silo that ran them, and runs any attempt still in flight for their grains.</param>
    public async Task RecordResultsAsync(IReadOnlyList<AttemptResult> results, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var states = await LockAsync(connection, transaction, results.Select(r => r.NotificationId).Distinct().ToArray(), cancellationToken);

        // Several results may concern one grain (two channels): apply them in order on the
        // evolving state, then persist the combined turn once.
        var before = states.ToDictionary(s => s.Key, s => s.Value.State);
        var current = new Dictionary<Guid, TurnResult>();
        foreach (var r in results)
        {
            if (!states.TryGetValue(r.NotificationId, out var row))
            {
                continue; // deleted by retention; nothing to record
            }

            var state = current.TryGetValue(r.NotificationId, out var t) ? t.State : row.State;
            var command = new NotificationCommand.RecordResult(r.Channel, r.Attempt, r.Outcome, r.Latency, Random.Shared.NextDouble());
            var turn = NotificationMachine.Apply(state, command, now, policy);
            if (turn.Rejection is not null)
            {
                continue;
            }

            current[r.NotificationId] = t is null ? turn : Merge(t, turn);
        }

        var ids = current.Keys.ToArray();
        var webhooks = await TurnWriter.WriteAsync(connection, transaction, ids.Select(id => (before[id], current[id])).ToArray(),
            ids.Select(id => states[id].Priority).ToArray(), now, _outbox, webhookPresence.MayHaveEndpoints, owner, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        WakeRelay(webhooks);
    }

    /// <summary>
    /// One turn on behalf of a tenant (cancel, manual retry), under Row Level Security: another
    /// tenant's notification is simply not found. Returns null when the grain does not exist.
    /// </summary>
    public async Task<TurnResult?> ExecuteAsync(TenantScope scope, Guid notificationId, NotificationCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var states = await LockAsync(scope.Connection, scope.Transaction, [notificationId], cancellationToken);
        if (!states.TryGetValue(notificationId, out var row))
        {
            return null;
        }

        var turn = NotificationMachine.Apply(row.State, command, now, policy);
        if (turn.Rejection is null)
        {
            // The caller commits; this node's relay and status-webhook dispatcher find the rows at their next poll.
            await TurnWriter.WriteAsync(scope.Connection, scope.Transaction, [(row.State, turn)], [row.Priority], now, _outbox,
                webhookPresence.MayHaveEndpoints, leaseOwner: null, cancellationToken);
        }

        return turn;
    }

    /// <summary>
    /// Brings every attempt lease held by <paramref name="owner"/> due now, through a
    /// <see cref="NotificationCommand.ReleaseLease"/> turn per grain: the cluster declared that silo
    /// dead, so its attempts will not report back, and waiting for the leases to expire would hold
    /// its notifications for up to <see cref="DispatchOptions.Lease"/>. Idempotent: a grain already
    /// released, or whose attempt finished meanwhile, is left as it is. Returns the grains released.
    /// </summary>
    public async Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid[] held;
        await using (var command = new NpgsqlCommand(
            "SELECT grain_id FROM reminders WHERE kind = 'notification' AND owner = $1", connection, transaction).With(owner))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            var ids = new List<Guid>();
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetGuid(0));
            }

            held = [.. ids];
        }

        if (held.Length == 0)
        {
            return 0;
        }

        var states = await LockAsync(connection, transaction, held, cancellationToken);
        var release = new NotificationCommand.ReleaseLease(owner);
        var turns = states.Values
            .Select(row => (row.State, Turn: NotificationMachine.Apply(row.State, release, now, policy), row.Priority))
            .Where(t => t.Turn.Rejection is null)
            .ToArray();
        var webhooks = await TurnWriter.WriteAsync(connection, transaction, turns.Select(t => (t.State, t.Turn)).ToArray(),
            turns.Select(t => t.Priority).ToArray(), now, _outbox, webhookPresence.MayHaveEndpoints, leaseOwner: null, cancellationToken);
        await using (var clear = new NpgsqlCommand(
            "UPDATE reminders SET owner = NULL WHERE kind = 'notification' AND owner = $1", connection, transaction).With(owner))
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        WakeRelay(webhooks);
        return turns.Length;
    }

    /// <summary>
    /// When the earliest reminder is due, so the dispatcher can sleep exactly that long. Through a
    /// function (migration 0017): a prepared plan made while the queue was empty would scan all of it.
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT notifly_next_due_at()", connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    private void WakeRelay(int webhookDeliveries)
    {
        if (_outbox)
        {
            outboxSignal.Wake();
        }

        if (webhookDeliveries > 0)
        {
            webhookSignal.Wake();
        }
    }

    private static async Task<Dictionary<Guid, (NotificationState State, short Priority)>> LockAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] ids, CancellationToken cancellationToken)
    {
        var states = new Dictionary<Guid, (NotificationState, short)>(ids.Length);
        await using var command = new NpgsqlCommand(
            $"SELECT {GrainRow.Columns} FROM notifications n WHERE n.id = ANY($1) ORDER BY n.id FOR UPDATE",
            connection, transaction).With(ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = GrainRow.Read(reader);
            states[row.State.Id] = row;
        }

        return states;
    }

    private static TurnResult Merge(TurnResult first, TurnResult second) => new(
        second.State,
        [.. first.Events, .. second.Events],
        [.. first.Starts, .. second.Starts],
        [.. first.Logs, .. second.Logs],
        [.. first.DeadLetters, .. second.DeadLetters]);

    private sealed record SendContext(
        Guid CorrelationId, string EventType, string PayloadJson, Recipient Recipient, string? UserId,
        string? Subject, string? Body, DateTimeOffset CreatedAt, string WebhookSecret, bool BodyIsHtml,
        DateTimeOffset? SendAt, string? TraceParent);
}
