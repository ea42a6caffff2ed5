using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.Recipients;
using Notifly.Grains.Runtime;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.Policies;

namespace Notifly.Grains.Intake;

/// <summary>
/// Writes many requests in one transaction: each new NotificationGrain's row, its first
/// reminder and its CREATED event come from a single set-based statement. The primary key of
/// <c>notification_idempotency</c>, (tenant, idempotency key), decides between concurrent
/// requests with one key, on any node; a request that loses is answered from the row that won.
/// With Kafka on, the same statement writes each new notification's first status event to the
/// outbox, and while some tenant may have a status-webhook endpoint, its
/// <c>notification.created</c> deliveries (docs/0017).
/// Each notification is bound here to its tenant's retry policy for the event type, and a request
/// taking the event type's fallback order gets its later channels in STANDBY (docs/0008).
public sealed class IntakeBatch(
    Database database, TimeProvider time, IOptions<KafkaOptions> kafka, OutboxSignal outboxSignal, TenantPolicyCache policies,
    StatusWebhookPresence webhookPresence, StatusWebhookSignal webhookSignal)
{
    // Status webhooks need three more columns of each inserted row, the outbox two of them; without
    // either, no copy of the deliveries is made.
    private static string InsertSql(bool outbox, bool statusWebhooks) =>
        $$"""
        WITH input AS (
            SELECT u.* FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::bytea[], $6::text[], $7::smallint[],
                                   $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                                   $15::text[], $16::timestamptz[], $17::uuid[], $19::text[], $20::boolean[], $21::text[], $22::text[], $23::timestamptz[])
                   AS u(id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, channels, recipient,
                        user_id, subject, body, payload, status, deliveries, send_at, api_key_id, retry_policy, body_html,
                        template, trace_parent, expires_at)
             WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = u.tenant_id AND t.status = 'ACTIVE')
               AND (u.api_key_id IS NULL
                    OR EXISTS (SELECT 1 FROM api_keys k WHERE k.id = u.api_key_id AND k.tenant_id = u.tenant_id AND k.revoked_at IS NULL))
        ), keys AS (
            -- The (tenant, key) primary key decides between requests with one key (migration 0027).
            -- Every writer (other nodes, Kafka's overlapping batches) takes its keys in one order, so
            -- two batches sharing keys wait for each other, never deadlock.
            INSERT INTO notification_idempotency (tenant_id, idempotency_key, notification_id)
            SELECT tenant_id, idempotency_key, id FROM input WHERE idempotency_key IS NOT NULL
             ORDER BY tenant_id, idempotency_key
            ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
            RETURNING notification_id
        ), inserted AS (
            INSERT INTO notifications (id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, channels,
                                       recipient, user_id, subject, body, payload, status, deliveries, send_at, created_at, updated_at,
                                       retry_policy, body_html, template, trace_parent, expires_at)
            SELECT id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, string_to_array(channels, ','),
                   recipient::jsonb, user_id, subject, body, payload::jsonb, status, deliveries::jsonb, send_at, $18, $18,
                   retry_policy::jsonb, body_html, template::jsonb, trace_parent, expires_at
              FROM input
             WHERE idempotency_key IS NULL OR id IN (SELECT notification_id FROM keys)
            RETURNING id, tenant_id, priority, send_at, status{{(outbox || statusWebhooks ? ", correlation_id, event_type" : "")}}{{(outbox ? ", trace_parent" : "")}}{{(statusWebhooks ? ", deliveries" : "")}}
        ), reminders AS (
            INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority)
            SELECT id, 'notification', tenant_id, greatest(coalesce(send_at, $18), $18), priority FROM inserted
             -- every channel opted out: nothing will ever be due (docs/0009)
             WHERE status <> 'SKIPPED'
        ), events AS (
            INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
            SELECT tenant_id, id, 'CREATED', jsonb_build_object('status', status, 'sendAt', send_at), $18 FROM inserted
        )
        """;

    // Built in SQL rather than serialised per row: this runs for every accepted request. The keys
    // are NotificationStatusEvent's; the first event has no previous status and no deliveries. The
    // ids, correlation id and event type are the row's columns, which the relay puts in the message,
    // so the payload does not repeat them and the relay need not look the notification up (docs/0005).
    private const string OutboxSql =
        $"""
        , outbox AS (
            INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at, correlation_id, event_type,
                                             trace_parent)
            SELECT tenant_id, id, '{KafkaTopics.StatusName}', jsonb_build_object('status', status, 'occurredAt', $18, 'retryCount', 0),
                   $18, correlation_id, event_type, trace_parent
              FROM inserted
        )
        """;

    private const string ReturnSql =
        $"""
        -- Identical notifications in one transaction are delivered once: one wake-up per batch.
        SELECT id, pg_notify('{PostgresChannels.Reminders}', '') FROM inserted
        """;

    private readonly bool _outbox = kafka.Value.Enabled;

    // The outbox variant is chosen once: a REST-only deployment pays nothing for it. The status
    // webhook variant per batch: nothing while no tenant has an endpoint (docs/0017).
    private readonly string _sql = Statement(kafka.Value.Enabled);
    private readonly string _sqlWithWebhooks = Statement(kafka.Value.Enabled, statusWebhooks: true);

    /// <summary>
    /// The intake statement, with or without the outbox insert and the status-webhook deliveries
    /// (public for the benchmark's raw ceiling).
    /// </summary>
    public static string Statement(bool outbox, bool statusWebhooks = false) =>
        $"{InsertSql(outbox, statusWebhooks)}\n{(outbox ? OutboxSql + "\n" : "")}{(statusWebhooks ? StatusWebhookRows.IntakeCtes("$18") + "\n" : "")}{ReturnSql}";

    /// <summary>
    /// Writes <paramref name="items"/> in one transaction. When PostgreSQL refuses the batch for
    /// something an item carries, no neighbour pays for it: the batch is split in halves and each
    /// written apart until the items at fault stand alone and are answered <see cref="IntakeOutcome.Invalid"/>
    /// (about 2 log2 n more transactions for one bad item in n). Failures that belong to no item
    /// (the database unreachable, a deadlock) fail the whole batch as before, for the caller to retry.
    /// </summary>
    public async Task<IntakeOutcome[]> WriteAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteOnceAsync(items, cancellationToken);
        }
        catch (Exception ex) when (IntakeFailures.MayBelongToAnItem(ex))
        {
            if (items.Count == 1)
            {
                // Alone and still failing: this item is the cause. Data PostgreSQL refuses is the
                // client's to fix; anything else is ours, and fails this request only.
                return [IntakeFailures.IsRefusal(ex) ? new IntakeOutcome.Invalid(IntakeFailures.Describe(ex)) : new IntakeOutcome.Failed(ex)];
            }

            var half = items.Count / 2;
            var first = await WriteAsync(items.Take(half).ToArray(), cancellationToken);
            var second = await WriteAsync(items.Skip(half).ToArray(), cancellationToken);
            return [.. first, .. second];
        }
    }

    private async Task<IntakeOutcome[]> WriteOnceAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcomes = new IntakeOutcome?[items.Count];

        // Two requests with one key in the same batch: only the first goes to the database,
        // the others are answered from it afterwards.
        var leaders = new Dictionary<(Guid, string), int>();
        var followers = new List<(int Index, int Leader)>();
        var rows = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Request.IdempotencyKey is { } key)
            {
                if (leaders.TryGetValue((items[i].TenantId, key), out var leader))
                {
                    followers.Add((i, leader));
                    continue;
                }

                leaders[(items[i].TenantId, key)] = i;
            }

            rows.Add(i);
        }

        var ids = rows.Select(_ => Guid.CreateVersion7(now)).ToArray();
        var correlations = rows.Select(_ => Guid.NewGuid()).ToArray();
        var requests = rows.Select(i => items[i].Request).ToArray();
        var tenantPolicies = new Dictionary<Guid, TenantPolicies>();
        foreach (var tenantId in rows.Select(i => items[i].TenantId).Distinct())
        {
            tenantPolicies[tenantId] = await policies.GetAsync(tenantId, cancellationToken);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            // Read in this transaction, so the decision is the one stored with the notification.
            var skipped = await OptOuts.SkippedAsync(connection, transaction, rows.Select(i => (items[i].TenantId, items[i].Request)).ToArray(), cancellationToken);
            var states = rows.Select((i, n) =>
            {
                // Opted-out channels are SKIPPED first; the fallback chain is what remains.
                var retry = tenantPolicies[items[i].TenantId].RetryFor(requests[n].EventType);
                // The request's own expiresAt, or the event type's time-to-live from when it is due.
                var expiresAt = requests[n].ExpiresAt
                    ?? (retry?.Ttl is { } ttl ? (requests[n].SendAt is { } at && at > now ? at : now) + ttl : null);
                var created = NotificationState.Create(ids[n], items[i].TenantId, requests[n].Channels, now, requests[n].SendAt, skipped[n],
                    expiresAt);
                var bound = created with { Retry = retry };
                return requests[n].Fallback ? FallbackChain.Hold(bound) : bound;
            }).ToArray();
            var inserted = new HashSet<Guid>();
            var webhooks = webhookPresence.MayHaveEndpoints;
            await using (var command = new NpgsqlCommand(webhooks ? _sqlWithWebhooks : _sql, connection, transaction)
                .With(ids)
                .With(rows.Select(i => items[i].TenantId).ToArray())
                .With(correlations)
                .With(requests.Select(r => r.IdempotencyKey).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(requests.Select(r => r.PayloadHash).ToArray())
                .With(requests.Select(r => r.EventType).ToArray())
                .With(requests.Select(r => (short)r.Priority).ToArray())
                .With(requests.Select(r => string.Join(',', r.Channels.Select(c => c.Name()))).ToArray())
                .With(requests.Select(r => JsonSerializer.Serialize(r.Recipient, Json.Options)).ToArray())
                .With(requests.Select(r => r.UserId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(requests.Select(r => r.Subject).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(requests.Select(r => r.Body).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(requests.Select(r => r.PayloadJson).ToArray())
                .With(states.Select(s => s.Status.Name()).ToArray())
                .With(states.Select(s => JsonSerializer.Serialize(s.Deliveries, Json.Options)).ToArray())
                .With(requests.Select(r => r.SendAt).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
                .With(rows.Select(i => items[i].ApiKeyId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid)
                .With(now)
                .With(states.Select(s => s.Retry is null ? null : JsonSerializer.Serialize(s.Retry, Json.Options)).ToArray(),
                    NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(requests.Select(r => r.BodyIsHtml).ToArray())
                .With(requests.Select(r => r.Template is null ? null : JsonSerializer.Serialize(r.Template, Json.Options)).ToArray(),
                    NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(rows.Select(i => items[i].TraceParent).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
                .With(states.Select(s => s.ExpiresAt).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted.Add(reader.GetGuid(0));
                }
            }

            var losers = new List<int>();
            for (var n = 0; n < rows.Count; n++)
            {
                if (inserted.Contains(ids[n]))
                {
                    outcomes[rows[n]] = new IntakeOutcome.Accepted(new NotificationAccepted(ids[n], states[n].Status, correlations[n]), false);
                }
                else if (requests[n].IdempotencyKey is null)
                {
                    outcomes[rows[n]] = new IntakeOutcome.Unauthorized();
                }
                else
                {
                    losers.Add(rows[n]);
                }
            }

            await RecordRateLimitedAsync(connection, transaction, items, rows, ids, inserted, now, cancellationToken);
            await RecordSkippedAsync(connection, transaction, items, rows, ids, skipped, inserted, now, cancellationToken);
            await RecordUnaddressedAsync(connection, transaction, items, rows, ids, inserted, now, cancellationToken);
            if (losers.Count > 0)
            {
                await ResolveExistingAsync(connection, transaction, items, losers, outcomes, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (_outbox && inserted.Count > 0)
            {
                outboxSignal.Wake();
            }

            if (webhooks && inserted.Count > 0)
            {
                webhookSignal.Wake(); // perhaps nothing was written (no endpoint of these tenants): one empty claim
            }

            foreach (var (index, leader) in followers)
            {
                outcomes[index] = outcomes[leader] switch
                {
                    IntakeOutcome.Accepted a when items[leader].Request.PayloadHash.AsSpan().SequenceEqual(items[index].Request.PayloadHash)
                        => a with { Replayed = true },
                    IntakeOutcome.Accepted a => new IntakeOutcome.Conflict(a.Response.RequestId),
                    var other => other,
                };
            }

            return outcomes!;
        }
        catch
        {
            // Before the connection goes back to the pool: one that failed mid-batch may hold a
            // half-prepared statement or unread results (docs/0018), so it is never reused.
            database.Discard();
            throw;
        }
    }

    /// <summary>
    /// A RATE_LIMITED event after the CREATED one for each new notification whose sendAt the rate
    /// limiter moved. A statement of its own, so the intake statement (and REST) pays nothing for it.
    /// </summary>
    private static async Task RecordRateLimitedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IntakeItem> items, List<int> rows, Guid[] ids,
        HashSet<Guid> inserted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limited = Enumerable.Range(0, rows.Count).Where(n => items[rows[n]].RateLimited && inserted.Contains(ids[n])).ToArray();
        if (limited.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
            SELECT u.tenant_id, u.id, 'RATE_LIMITED',
                   jsonb_build_object('sendAt', u.send_at, 'reason', 'over the tenant''s rate limit: scheduled for when it has tokens again'), $4
              FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS u(id, tenant_id, send_at)
            """, connection, transaction)
            .With(limited.Select(n => ids[n]).ToArray())
            .With(limited.Select(n => items[rows[n]].TenantId).ToArray())
            .With(limited.Select(n => items[rows[n]].Request.SendAt!.Value).ToArray())
            .With(now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A SKIPPED event per opted-out channel of each new notification; a statement only when there is one.</summary>
    private static async Task RecordSkippedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IntakeItem> items, List<int> rows, Guid[] ids,
        Channel[]?[] skipped, HashSet<Guid> inserted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var events = Enumerable.Range(0, rows.Count)
            .Where(n => skipped[n] is not null && inserted.Contains(ids[n]))
            .SelectMany(n => skipped[n]!.Select(c => (Id: ids[n], items[rows[n]].TenantId, Channel: c.Name())))
            .ToArray();
        if (events.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
            SELECT u.tenant_id, u.id, 'SKIPPED', jsonb_build_object('channel', u.channel, 'reason', 'OPTED_OUT'), $4
              FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(id, tenant_id, channel)
            """, connection, transaction)
            .With(events.Select(e => e.Id).ToArray())
            .With(events.Select(e => e.TenantId).ToArray())
            .With(events.Select(e => e.Channel).ToArray())
            .With(now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A FALLBACK_SKIPPED event per channel of the event type's fallback order that the new
    /// notification left out because its recipient has no address for it.
    /// </summary>
    private static async Task RecordUnaddressedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IntakeItem> items, List<int> rows, Guid[] ids,
        HashSet<Guid> inserted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var skipped = Enumerable.Range(0, rows.Count)
            .Where(n => inserted.Contains(ids[n]))
            .SelectMany(n => (items[rows[n]].Request.Unaddressed ?? []).Select(c => (Id: ids[n], items[rows[n]].TenantId, Channel: c)))
            .ToArray();
        if (skipped.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO notification_events (tenant_id, notification_id, event, details, created_at)
            SELECT u.tenant_id, u.id, 'FALLBACK_SKIPPED',
                   jsonb_build_object('channel', u.channel, 'reason', 'NO_ADDRESS'), $4
              FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(id, tenant_id, channel)
            """, connection, transaction)
            .With(skipped.Select(s => s.Id).ToArray())
            .With(skipped.Select(s => s.TenantId).ToArray())
            .With(skipped.Select(s => s.Channel.Name()).ToArray())
            .With(now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Answers requests whose key already existed: replay when the payload matches, conflict when not.</summary>
    private static async Task ResolveExistingAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IntakeItem> items, List<int> losers,
        IntakeOutcome?[] outcomes, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<(Guid, string), (Guid Id, Guid Correlation, byte[] Hash, NotificationStatus FirstStatus)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT n.tenant_id, n.idempotency_key, n.id, n.correlation_id, n.payload_hash, coalesce(n.send_at > n.created_at, false)
              FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS u(tenant_id, idempotency_key, api_key_id)
              JOIN notification_idempotency i ON i.tenant_id = u.tenant_id AND i.idempotency_key = u.idempotency_key
              JOIN notifications n ON n.id = i.notification_id
             -- a revoked key gets no replay either: it must not learn what an earlier request created
             WHERE u.api_key_id IS NULL OR EXISTS (SELECT 1 FROM api_keys k WHERE k.id = u.api_key_id AND k.revoked_at IS NULL)
            """, connection, transaction)
            .With(losers.Select(i => items[i].TenantId).ToArray())
            .With(losers.Select(i => items[i].Request.IdempotencyKey!).ToArray())
            .With(losers.Select(i => items[i].ApiKeyId).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // The first answer said SCHEDULED when sendAt lay in the future, ACCEPTED otherwise.
                var firstStatus = reader.GetBoolean(5) ? NotificationStatus.Scheduled : NotificationStatus.Accepted;
                existing[(reader.GetGuid(0), reader.GetString(1))] = (reader.GetGuid(2), reader.GetGuid(3), (byte[])reader[4], firstStatus);
            }
        }

        foreach (var i in losers)
        {
            var request = items[i].Request;
            outcomes[i] = existing.TryGetValue((items[i].TenantId, request.IdempotencyKey!), out var row)
                ? row.Hash.AsSpan().SequenceEqual(request.PayloadHash)
                    ? new IntakeOutcome.Accepted(new NotificationAccepted(row.Id, row.FirstStatus, row.Correlation), true)
                    : new IntakeOutcome.Conflict(row.Id)
                : new IntakeOutcome.Unauthorized(); // the key was revoked: nothing inserted, nothing replayed
        }
    }
}
