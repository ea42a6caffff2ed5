using Npgsql;
using NpgsqlTypes;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// The hot paths' share of status webhooks: one set-based insert per batch that joins the batch's
/// status changes to the active endpoints subscribed to each event, in the transaction of the
/// change itself (docs/0017). Payloads are built in SQL for the joined rows only, so a change no
/// endpoint hears costs an index probe and nothing is serialised for it.
/// </summary>
internal static class StatusWebhookRows
{
    /// <summary>
    /// The insert, over a source row set <c>c</c> with the columns event, event_id, endpoint_id,
    /// id, tenant_id, correlation_id, event_type, status, previous, retry_count, error_code and
    /// deliveries (jsonb). The body has NotificationStatusEvent's fields (docs/0005) in seed
    /// 004's envelope, deliveries summarised as <see cref="GrainInterfaces.Kafka.DeliverySummary"/>.
    /// </summary>
    public static string InsertFrom(string source, string at) =>
        $"""
        INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, notification_id, payload, next_attempt_at, created_at)
        SELECT gen_random_uuid(), c.tenant_id, c.endpoint_id, c.event_id, c.event, c.id,
               jsonb_build_object('type', c.event, 'timestamp', {at}, 'data', jsonb_strip_nulls(jsonb_build_object(
                   'notificationId', c.id, 'requestId', c.id, 'tenantId', c.tenant_id, 'correlationId', c.correlation_id,
                   'eventType', c.event_type, 'status', c.status, 'previousStatus', c.previous, 'retryCount', c.retry_count,
                   'errorCode', c.error_code,
                   'deliveries', (SELECT jsonb_agg(jsonb_build_object('channel', d -> 'channel', 'status', d -> 'status',
                                                                      'attempts', d -> 'attempts', 'lastErrorCode', d -> 'lastErrorCode')
                                                   ORDER BY o)
                                    FROM jsonb_array_elements(c.deliveries) WITH ORDINALITY AS x(d, o))))),
               {at}, {at}
          FROM ({source}) c
        """;

    // An event shared by several endpoints shares one event id, so ids are drawn per event
    // before the fan-out — and only for events some endpoint hears.
    private static string HeardBy(string row) =>
        $"EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = {row}.tenant_id AND e.is_active AND {row}.event = ANY (e.events))";

    /// <summary>
    /// Intake's CTEs over its <c>inserted</c> rows (which must return correlation_id, event_type
    /// and deliveries): <c>notification.created</c> for ACCEPTED/SCHEDULED, <c>notification.skipped</c>
    /// when every channel was opted out. <paramref name="at"/> is the batch's time.
    /// </summary>
    public static string IntakeCtes(string at) =>
        $"""
        , webhook_events AS MATERIALIZED (
            SELECT c.*, gen_random_uuid() AS event_id
              FROM (SELECT i.id, i.tenant_id, i.correlation_id, i.event_type, i.status, i.deliveries,
                           CASE i.status WHEN 'SKIPPED' THEN '{StatusWebhookEvents.Skipped}' ELSE '{StatusWebhookEvents.Created}' END AS event
                      FROM inserted i) c
             WHERE {HeardBy("c")}
        ), webhooks AS (
            {InsertFrom(
                """
                SELECT v.*, e.id AS endpoint_id, NULL::text AS previous, 0 AS retry_count, NULL::text AS error_code
                  FROM webhook_events v
                  JOIN webhook_endpoints e ON e.tenant_id = v.tenant_id AND e.is_active AND v.event = ANY (e.events)
                """, at)}
        )
        """;

    // Events no endpoint hears are dropped first (a semi-join: no event id drawn for them), then
    // matched to their endpoints, and only then is notifications read — after this batch's
    // UPDATE of it, so status and deliveries are the new ones.
    private static readonly string TurnSql =
        $"""
        WITH events AS MATERIALIZED (
            SELECT u.*, gen_random_uuid() AS event_id
              FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[])
                   AS u(id, tenant_id, event, previous, retry_count, error_code)
             WHERE {HeardBy("u")}
        ), matched AS MATERIALIZED (
            SELECT v.*, e.id AS endpoint_id
              FROM events v
              JOIN webhook_endpoints e ON e.tenant_id = v.tenant_id AND e.is_active AND v.event = ANY (e.events)
        )
        {InsertFrom(
            """
            SELECT m.*, n.correlation_id, n.event_type, n.status, n.deliveries
              FROM matched m
              JOIN notifications n ON n.id = m.id
            """, "$7::timestamptz")}
        """;

    /// <summary>
    /// Adds the turns' insert to <paramref name="batch"/>, after the notifications UPDATE; null
    /// when no turn changed the status to one an endpoint may hear.
    /// </summary>
    public static NpgsqlBatchCommand? AddTurns(
        NpgsqlBatch batch, IEnumerable<(NotificationState Before, TurnResult Turn)> changed, DateTimeOffset now)
    {
        var events = changed
            .Where(t => t.Turn.State.Status != t.Before.Status)
            .Select(t => (t.Before, t.Turn.State, Event: StatusWebhookEvents.ForStatus(t.Turn.State.Status)))
            .Where(t => t.Event is not null)
            .ToArray();
        if (events.Length == 0)
        {
            return null;
        }

        var command = new NpgsqlBatchCommand(TurnSql)
            .With(events.Select(e => e.State.Id).ToArray())
            .With(events.Select(e => e.State.TenantId).ToArray())
            .With(events.Select(e => e.Event!).ToArray())
            .With(events.Select(e => e.Before.Status.Name()).ToArray())
            .With(events.Select(e => OutboxEvents.RetryCount(e.State)).ToArray())
            .With(events.Select(e => ErrorCode(e.State)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)
            .With(now);
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>Why a FAILED, BOUNCED or RETRYING notification is so: the error of a delivery in that state.</summary>
    private static string? ErrorCode(NotificationState state) =>
        state.Status is NotificationStatus.Failed or NotificationStatus.Bounced or NotificationStatus.Retrying
            ? state.Deliveries
                .Where(d => !d.Superseded && d.Status is DeliveryStatus.Failed or DeliveryStatus.Bounced or DeliveryStatus.Retrying)
                .Select(d => d.LastErrorCode)
                .FirstOrDefault(code => code is not null)
            : null;
}
