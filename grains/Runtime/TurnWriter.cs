using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.Observability;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Runtime;

/// <summary>
/// Persists the outcome of many NotificationGrain turns in one round trip: new state (checked
/// against the version read under lock), the grain's reminder, audit events, attempt logs and
/// dead letters, and — when Kafka is on — their outbox rows, and — when some tenant may have a
/// status-webhook endpoint — their status-webhook deliveries. Set-based statements over
/// <c>unnest</c> arrays keep the cost per turn small.
/// </summary>
internal static class TurnWriter
{
    /// <param name="leaseOwner">
    /// The silo that runs the attempts these turns start (the dispatcher's turns): a grain with an
    /// attempt in flight gets it as its reminder's owner, one without gets none. Null for turns
    /// that run no attempt (API turns, releases): reminders keep the owner they have, which at worst
    /// names a silo for a grain with nothing in flight, and releasing that changes nothing.
    /// </param>
    /// <returns>The status-webhook deliveries written (to wake the dispatcher after the commit).</returns>
    public static async Task<int> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<(NotificationState Before, TurnResult Turn)> turns,
        short[] priorities, DateTimeOffset now, bool outbox, bool statusWebhooks, string? leaseOwner, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection, transaction);

        var changed = turns.Select((t, i) => (t.Before, t.Turn, Priority: priorities[i])).Where(t => t.Turn.Changed).ToArray();
        if (changed.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                UPDATE notifications n
                   SET status = u.status, deliveries = u.deliveries::jsonb, version = u.version, updated_at = $5
                  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $6::int[]) AS u(id, status, deliveries, version, expected)
                 WHERE n.id = u.id AND n.version = u.expected
                """)
                .With(changed.Select(t => t.Before.Id).ToArray())
                .With(changed.Select(t => t.Turn.State.Status.Name()).ToArray())
                .With(changed.Select(t => JsonSerializer.Serialize(t.Turn.State.Deliveries, Json.Options)).ToArray())
                .With(changed.Select(t => t.Turn.State.Version).ToArray())
                .With(now)
                .With(changed.Select(t => t.Before.Version).ToArray()));
        }

        // Every claimed grain gets its reminder re-aimed at its next due time, changed or not:
        // a reminder that fired with nothing due must not keep firing.
        var due = turns.Select((t, i) => (t.Turn.State, Priority: priorities[i])).Where(t => t.State.NextDueAt is not null).ToArray();
        if (due.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"""
                INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority, owner)
                SELECT id, 'notification', tenant_id, due_at, priority, CASE WHEN in_flight THEN $5::text END
                  FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::smallint[], $6::boolean[])
                       AS u(id, tenant_id, due_at, priority, in_flight)
                ON CONFLICT (grain_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at{(leaseOwner is null ? "" : ", owner = EXCLUDED.owner")}
                """)
                .With(due.Select(t => t.State.Id).ToArray())
                .With(due.Select(t => t.State.TenantId).ToArray())
                .With(due.Select(t => t.State.NextDueAt!.Value).ToArray())
                .With(due.Select(t => t.Priority).ToArray())
                .With(leaseOwner, NpgsqlDbType.Text)
                .With(due.Select(t => t.State.Deliveries.Any(d => d.Status == DeliveryStatus.Processing)).ToArray()));
        }

        var idle = turns.Where(t => t.Turn.State.NextDueAt is null).Select(t => t.Turn.State.Id).ToArray();
        if (idle.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "DELETE FROM reminders WHERE kind = 'notification' AND grain_id = ANY($1)").With(idle));
        }

        var events = changed.SelectMany(t => t.Turn.Events.Select(e => (t.Turn.State, Event: e))).ToArray();
        if (events.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
                SELECT tenant_id, id, event, details::jsonb, $5
                  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS u(tenant_id, id, event, details)
                """)
                .With(events.Select(e => e.State.TenantId).ToArray())
                .With(events.Select(e => e.State.Id).ToArray())
                .With(events.Select(e => e.Event.Event).ToArray())
                .With(events.Select(e => JsonSerializer.Serialize(e.Event.Details, Json.Options)).ToArray())
                .With(now));
        }

        var logs = changed.SelectMany(t => t.Turn.Logs.Select(l => (t.Turn.State, Log: l))).ToArray();
        if (logs.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO notification_logs (tenant_id, notification_id, channel, attempt, status, latency_ms,
                                               error_code, error_message, provider_message_id, provider, created_at)
                SELECT tenant_id, id, channel, attempt, status, latency_ms, error_code, error_message, provider_message_id, provider, $10
                  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[],
                              $11::text[])
                       AS u(tenant_id, id, channel, attempt, status, latency_ms, error_code, error_message, provider_message_id, provider)
                ON CONFLICT (tenant_id, notification_id, channel, attempt) DO NOTHING
                """)
                .With(logs.Select(l => l.State.TenantId).ToArray())
                .With(logs.Select(l => l.State.Id).ToArray())
                .With(logs.Select(l => l.Log.Channel.Name()).ToArray())
                .With(logs.Select(l => l.Log.Attempt).ToArray())
                .With(logs.Select(l => l.Log.Status).ToArray())
                .With(logs.Select(l => l.Log.LatencyMs).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)
                .With(logs.Select(l => l.Log.ErrorCode).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(logs.Select(l => l.Log.ErrorMessage).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(logs.Select(l => l.Log.ProviderMessageId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(now)
                .With(logs.Select(l => l.Log.Provider).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        }

        var dead = changed.SelectMany(t => t.Turn.DeadLetters.Select(d => (t.Turn.State, Dead: d))).ToArray();
        if (dead.Length > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO failed_notifications (id, tenant_id, notification_id, channel, error_code, error_message, attempts, created_at, updated_at)
                SELECT gen_random_uuid(), tenant_id, id, channel, error_code, error_message, attempts, $7, $7
                  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[])
                       AS u(tenant_id, id, channel, error_code, error_message, attempts)
                ON CONFLICT (notification_id, channel) WHERE status = 'OPEN' DO NOTHING
                """)
                .With(dead.Select(d => d.State.TenantId).ToArray())
                .With(dead.Select(d => d.State.Id).ToArray())
                .With(dead.Select(d => d.Dead.Channel.Name()).ToArray())
                .With(dead.Select(d => d.Dead.ErrorCode).ToArray())
                .With(dead.Select(d => d.Dead.ErrorMessage).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(dead.Select(d => d.Dead.Attempts).ToArray())
                .With(now));
        }

        if (outbox)
        {
            AddOutbox(batch, changed.Select(t => (t.Before, t.Turn)), dead, now);
        }

        var webhooks = statusWebhooks ? StatusWebhookRows.AddTurns(batch, changed.Select(t => (t.Before, t.Turn)), now) : null;

        if (batch.BatchCommands.Count == 0)
        {
            return 0;
        }

        foreach (var d in dead)
        {
            NotiflyMetrics.DeadLettered.Add(1, new KeyValuePair<string, object?>("channel", d.Dead.Channel.Name()));
        }

        foreach (var l in logs.Where(l => l.Log.Status == "ABANDONED"))
        {
            NotiflyMetrics.LeasesExpired.Add(1, new KeyValuePair<string, object?>("channel", l.Log.Channel.Name()));
        }

        await using (batch)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
            if (changed.Length > 0 && batch.BatchCommands[0].RecordsAffected != changed.Length)
            {
                // Rows are locked for the whole turn, so this means a writer ignored the lock:
                // fail the turn rather than overwrite a newer state.
                throw new InvalidOperationException(
                    $"version check failed: {batch.BatchCommands[0].RecordsAffected} of {changed.Length} grains updated");
            }
        }

        return webhooks?.RecordsAffected ?? 0;
    }

    /// <summary>
    /// One <c>notification.status</c> row per turn that changed the notification's status and one
    /// <c>notification.send.dlt</c> row per dead letter. Rows are numbered in turn order, and a
    /// grain's turns are serialised by its row lock, so a notification's events get rising ids.
    /// </summary>
    private static void AddOutbox(
        NpgsqlBatch batch, IEnumerable<(NotificationState Before, TurnResult Turn)> changed,
        (NotificationState State, DeadLetter Dead)[] dead, DateTimeOffset now)
    {
        var rows = changed
            .Where(t => t.Turn.State.Status != t.Before.Status)
            .Select(t => (t.Turn.State, Topic: KafkaTopics.StatusName, Payload: OutboxEvents.StatusChanged(t.Before, t.Turn.State, now)))
            .Concat(dead.Select(d => (d.State, Topic: KafkaTopics.SendDeadLetterName, Payload: OutboxEvents.DeadLettered(d.State, d.Dead, now))))
            .ToArray();
        if (rows.Length == 0)
        {
            return;
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at, correlation_id, event_type,
                                             trace_parent)
            SELECT u.tenant_id, u.id, u.topic, u.payload::jsonb, $5, n.correlation_id, n.event_type, n.trace_parent
              FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS u(tenant_id, id, topic, payload, ord)
              -- the row this turn has just written, in cache: the relay would otherwise look it up per event
              LEFT JOIN notifications n ON n.id = u.id
             ORDER BY u.ord
            """)
            .With(rows.Select(r => r.State.TenantId).ToArray())
            .With(rows.Select(r => r.State.Id).ToArray())
            .With(rows.Select(r => r.Topic).ToArray())
            .With(rows.Select(r => r.Payload).ToArray())
            .With(now));
    }
}
