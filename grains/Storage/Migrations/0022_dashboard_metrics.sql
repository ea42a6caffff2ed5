-- GET /api/admin/metrics (docs/0027). Counting a day of a busy tenant's rows on each request
-- would take seconds, so a job on the silos (MetricsRollup) folds the append-only facts into
-- hourly rows per tenant, and a request adds up at most a few thousand of those plus the few
-- seconds of facts the job has not reached yet. Every fact is folded exactly once: the job moves
-- one watermark, metrics_rollup_progress.rolled_until, in the same transaction as its rows, and
-- the request reads the rows below it and the facts from it on, in one snapshot.

-- Facts are found by time; BRIN costs next to nothing on insert because rows arrive in time order.
-- A block range is only skipped once summarised, so each full range is summarised at once
-- (autosummarize) rather than at the next vacuum: the newest rows, which every request reads,
-- stay a range or two.
CREATE INDEX notification_events_created_brin ON notification_events USING brin (created_at) WITH (autosummarize = on);
CREATE INDEX notification_logs_created_brin ON notification_logs USING brin (created_at) WITH (autosummarize = on);

CREATE TABLE metrics_rollup_progress (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- facts created before this are in the hourly tables; -infinity: nothing is, start from the oldest fact
    rolled_until timestamptz NOT NULL
);
INSERT INTO metrics_rollup_progress (rolled_until) VALUES ('-infinity');

-- Provider attempts (notification_logs) by the hour they were made. Latency is kept as a
-- histogram with eight buckets per doubling, so a p95 read from it is within 9 % of the exact one.
CREATE TABLE attempt_metrics_hourly (
    tenant_id      uuid NOT NULL,
    hour           timestamptz NOT NULL,
    channel        text NOT NULL,
    status         text NOT NULL,
    error_code     text NOT NULL, -- '' when the attempt had none
    latency_bucket smallint NOT NULL, -- notifly_latency_bucket(latency_ms); -1 when no latency was measured
    attempts       bigint NOT NULL,
    latency_sum_ms bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, channel, status, error_code, latency_bucket)
);

-- Notifications by the hour they were created and the status they are in now: CREATED adds one
-- to the first status, STATUS_CHANGED moves one from a status to another.
CREATE TABLE notification_status_hourly (
    tenant_id     uuid NOT NULL,
    hour          timestamptz NOT NULL, -- the notifications' creation hour
    status        text NOT NULL,
    notifications bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, status)
);

-- Dead letters (DEAD_LETTERED events) by the hour they happened; deleting an entry from the DLQ
-- does not take it out of the failure summary.
CREATE TABLE dead_letter_hourly (
    tenant_id    uuid NOT NULL,
    hour         timestamptz NOT NULL,
    channel      text NOT NULL,
    error_code   text NOT NULL,
    dead_letters bigint NOT NULL,
    PRIMARY KEY (tenant_id, hour, channel, error_code)
);

-- Row Level Security as on every tenant table (0001, 0019); from here on, one procedure does it.
CREATE PROCEDURE notifly_isolate_tenants(VARIADIC tables text[])
    LANGUAGE plpgsql
AS $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY tables
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = notifly_current_tenant()) '
                       'WITH CHECK (tenant_id = notifly_current_tenant())', t);
    END LOOP;
END
$$;

CALL notifly_isolate_tenants('attempt_metrics_hourly', 'notification_status_hourly', 'dead_letter_hourly');

-- Tenants only read them; the job writes them as the connecting role.
GRANT SELECT ON attempt_metrics_hourly, notification_status_hourly, dead_letter_hourly, metrics_rollup_progress TO notifly_tenant;

CREATE FUNCTION notifly_latency_bucket(latency_ms bigint) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN latency_ms IS NULL THEN -1 ELSE floor(8 * ln(greatest(latency_ms, 0) + 1.0) / ln(2.0))::smallint END;

-- The facts of [lo, hi), grouped as the hourly tables hold them. The job folds them for every
-- tenant; a request adds its tenant's (Row Level Security) from the watermark on.
CREATE FUNCTION notifly_attempt_facts(lo timestamptz, hi timestamptz)
    RETURNS TABLE (tenant_id uuid, hour timestamptz, channel text, status text, error_code text, latency_bucket smallint,
                   attempts bigint, latency_sum_ms bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT tenant_id, date_bin('1 hour', created_at, 'epoch'), channel, status, coalesce(error_code, ''),
           notifly_latency_bucket(latency_ms), count(*), coalesce(sum(latency_ms), 0)::bigint
      FROM notification_logs
     WHERE created_at >= lo AND created_at < hi
     GROUP BY 1, 2, 3, 4, 5, 6
$$;

-- A status change counts in the hour its notification was created, found without reading the
-- notification: intake gives notifications UUIDv7 ids stamped with their creation time
-- (IntakeBatch), whose first 48 bits are Unix milliseconds. An id of another version is looked up.
CREATE FUNCTION notifly_status_facts(lo timestamptz, hi timestamptz)
    RETURNS TABLE (tenant_id uuid, hour timestamptz, status text, notifications bigint)
    LANGUAGE sql STABLE
AS $$
    WITH e AS MATERIALIZED (
        SELECT e.tenant_id, e.event, e.details,
               CASE WHEN e.event = 'CREATED' THEN e.created_at
                    WHEN substr(e.notification_id::text, 15, 1) = '7'
                    THEN to_timestamp(('x' || substr(replace(e.notification_id::text, '-', ''), 1, 12))::bit(48)::bigint
                                      / 1000::double precision)
                    ELSE (SELECT n.created_at FROM notifications n WHERE n.id = e.notification_id) END AS created_at
          FROM notification_events e
         WHERE e.created_at >= lo AND e.created_at < hi AND e.event IN ('CREATED', 'STATUS_CHANGED')
    )
    SELECT tenant_id, date_bin('1 hour', created_at, 'epoch'), status, sum(delta)::bigint
      FROM (SELECT tenant_id, created_at, CASE WHEN event = 'CREATED' THEN details ->> 'status' ELSE details ->> 'to' END, 1 FROM e
            UNION ALL
            SELECT tenant_id, created_at, details ->> 'from', -1 FROM e WHERE event = 'STATUS_CHANGED') AS moved (tenant_id, created_at, status, delta)
     GROUP BY 1, 2, 3
$$;

CREATE FUNCTION notifly_dead_letter_facts(lo timestamptz, hi timestamptz)
    RETURNS TABLE (tenant_id uuid, hour timestamptz, channel text, error_code text, dead_letters bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT tenant_id, date_bin('1 hour', created_at, 'epoch'), details ->> 'channel', coalesce(details ->> 'errorCode', ''), count(*)
      FROM notification_events
     WHERE created_at >= lo AND created_at < hi AND event = 'DEAD_LETTERED'
     GROUP BY 1, 2, 3, 4
$$;
