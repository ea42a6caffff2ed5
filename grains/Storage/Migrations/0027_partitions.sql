-- Retention by partition (issue 15, docs/0035). The tables that grow with traffic become
-- partitioned by day, so that the retention job (RetentionService) drops a whole day with
-- DETACH PARTITION CONCURRENTLY and DROP TABLE instead of deleting millions of rows:
--   * notifications by id, and notification_events, notification_logs and notification_outbox by
--     notification_id. Intake gives notifications UUIDv7 ids stamped with their creation time, so
--     a day of notifications is a range of ids, every lookup by id still reaches one partition,
--     and a notification's rows all live in the partitions of its own day;
--   * webhook_deliveries by created_at (their ids are random).
-- No table has a DEFAULT partition: DETACH ... CONCURRENTLY refuses a table that has one. The job
-- creates each day's partitions days ahead; this migration creates the first ones.
--
-- Each existing table is kept, whole, as the first partition, covering everything before
-- tomorrow (UTC): attaching it costs one validating scan, not a copy. The job drops it like any
-- other partition once its last day is past the retention.
--
-- A unique index on a partitioned table must contain the partition key, so the idempotency key's
-- uniqueness moves to its own table, notification_idempotency, which the job prunes with the
-- partitions it drops.

-- The smallest UUIDv7 of an instant: the bound between two days of notification ids.
CREATE FUNCTION notifly_uuid_floor(at timestamptz) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$ SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || repeat('0', 20))::uuid $$;

-- The instant a partition bound stands for, as pg_get_expr prints it: a quoted UUIDv7 (its
-- timestamp), a quoted timestamptz, or MINVALUE (null). The retention job reads bounds with it.
CREATE FUNCTION notifly_partition_bound(bound text) RETURNS timestamptz
    LANGUAGE sql STABLE STRICT AS
$$
SELECT CASE
           WHEN bound = 'MINVALUE' THEN NULL
           WHEN bound ~ '^''[0-9a-f]{8}-[0-9a-f]{4}-' THEN
               to_timestamp(('x' || substr(replace(bound, '-', ''), 2, 12))::bit(48)::bigint / 1000.0)
           ELSE btrim(bound, '''')::timestamptz
       END
$$;

-- Adds the partition [lower, upper) to a range-partitioned table: created apart and then attached,
-- which locks the parent SHARE UPDATE EXCLUSIVE (writers go on) where CREATE TABLE ... PARTITION OF
-- would lock it ACCESS EXCLUSIVE. The parent's indexes are built on the empty table as it attaches.
CREATE FUNCTION notifly_add_partition(parent regclass, name text, lower text, upper text) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', name, parent);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, name, lower, upper);
END
$$;

-- Turns table t into a table partitioned by range of key, with t itself as its first partition,
-- renamed t_until_YYYYMMDD, covering everything before the bound. The caller has moved t's
-- indexes out of the way; the new parent gets its own, and attaching adopts t's equivalent ones.
CREATE FUNCTION pg_temp.partition_in_place(t text, key text, primary_key text, bound_day date, bound text) RETURNS text
    LANGUAGE plpgsql AS
$$
DECLARE
    legacy text := t || '_until_' || to_char(bound_day, 'YYYYMMDD');
    sequence_name text := pg_get_serial_sequence(t, 'id');
BEGIN
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, legacy);
    IF sequence_name IS NOT NULL THEN
        -- the new parent's identity continues the old one's numbering under the old name
        EXECUTE format('ALTER SEQUENCE %s RENAME TO %I', sequence_name, legacy || '_id_seq');
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE) PARTITION BY RANGE (%I)',
                       t, legacy, key);
        EXECUTE format('SELECT setval(%L, coalesce((SELECT max(id) FROM %I), 0) + 1, false)', pg_get_serial_sequence(t, 'id'), legacy);
        EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP IDENTITY', legacy);
    ELSE
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING STORAGE) PARTITION BY RANGE (%I)', t, legacy, key);
    END IF;

    IF (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = t || '_pkey' AND conrelid = legacy::regclass)
       = format('PRIMARY KEY (%s)', primary_key) THEN
        EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', legacy, t || '_pkey', legacy || '_pkey');
    ELSE
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', legacy, t || '_pkey');
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (%s)', legacy, legacy || '_pkey', primary_key);
    END IF;
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (%s)', t, t || '_pkey', primary_key);

    -- Row Level Security as in 0001: the parent's policy is the one a tenant-scoped query meets.
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = notifly_current_tenant()) '
                   'WITH CHECK (tenant_id = notifly_current_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO notifly_tenant', t);
    RETURN legacy;
END
$$;

-- Idempotency keys: one row per (tenant, key) for as long as the notification is kept.
CREATE TABLE notification_idempotency (
    tenant_id       uuid NOT NULL,
    idempotency_key text NOT NULL,
    notification_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
-- The retention job deletes the keys of the days it drops.
CREATE INDEX notification_idempotency_notification ON notification_idempotency (notification_id);
INSERT INTO notification_idempotency (tenant_id, idempotency_key, notification_id)
SELECT tenant_id, idempotency_key, id FROM notifications WHERE idempotency_key IS NOT NULL;
ALTER TABLE notification_idempotency ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_idempotency
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_idempotency TO notifly_tenant;
DROP INDEX notifications_idempotency;

DO $$
DECLARE
    tomorrow date := (now() AT TIME ZONE 'UTC')::date + 1;
    id_bound text := notifly_uuid_floor(tomorrow::timestamp AT TIME ZONE 'UTC')::text;
    time_bound text := (tomorrow::timestamp AT TIME ZONE 'UTC')::text;
    legacy text;
BEGIN
    -- notifications, by id
    ALTER INDEX notifications_tenant_created RENAME TO notifications_tenant_created_old;
    legacy := pg_temp.partition_in_place('notifications', 'id', 'id', tomorrow, id_bound);
    CREATE INDEX notifications_tenant_created ON notifications (tenant_id, created_at DESC, id DESC);
    EXECUTE format('ALTER TABLE notifications ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', legacy, id_bound);

    -- notification_events, by notification_id: the key (notification_id, id) replaces the index
    -- on the same columns that a notification's history was read by
    DROP INDEX notification_events_notification;
    ALTER INDEX notification_events_created_brin RENAME TO notification_events_created_brin_old;
    legacy := pg_temp.partition_in_place('notification_events', 'notification_id', 'notification_id, id', tomorrow, id_bound);
    CREATE INDEX notification_events_created_brin ON notification_events USING brin (created_at) WITH (autosummarize = on);
    EXECUTE format('ALTER TABLE notification_events ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', legacy, id_bound);

    -- notification_logs, by notification_id
    ALTER TABLE notification_logs RENAME CONSTRAINT notification_logs_tenant_id_notification_id_channel_attempt_key
        TO notification_logs_attempt_old;
    ALTER INDEX notification_logs_provider_message_id RENAME TO notification_logs_provider_message_id_old;
    ALTER INDEX notification_logs_tenant_created RENAME TO notification_logs_tenant_created_old;
    ALTER INDEX notification_logs_created_brin RENAME TO notification_logs_created_brin_old;
    legacy := pg_temp.partition_in_place('notification_logs', 'notification_id', 'notification_id, id', tomorrow, id_bound);
    ALTER TABLE notification_logs ADD CONSTRAINT notification_logs_attempt UNIQUE (tenant_id, notification_id, channel, attempt);
    CREATE INDEX notification_logs_provider_message_id ON notification_logs (provider_message_id)
        WHERE provider_message_id IS NOT NULL;
    CREATE INDEX notification_logs_tenant_created ON notification_logs (tenant_id, created_at DESC, id DESC);
    CREATE INDEX notification_logs_created_brin ON notification_logs USING brin (created_at) WITH (autosummarize = on);
    EXECUTE format('ALTER TABLE notification_logs ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', legacy, id_bound);

    -- notification_outbox, by notification_id
    ALTER INDEX notification_outbox_unsent RENAME TO notification_outbox_unsent_old;
    ALTER INDEX notification_outbox_sent RENAME TO notification_outbox_sent_old;
    legacy := pg_temp.partition_in_place('notification_outbox', 'notification_id', 'notification_id, id', tomorrow, id_bound);
    CREATE INDEX notification_outbox_unsent ON notification_outbox (id) WHERE sent_at IS NULL;
    CREATE INDEX notification_outbox_sent ON notification_outbox (id) WHERE sent_at IS NOT NULL;
    EXECUTE format('ALTER TABLE notification_outbox ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', legacy, id_bound);

    -- webhook_deliveries, by created_at; a delivery is still found by id alone, from the key's
    -- leading column in each partition
    ALTER INDEX webhook_deliveries_due RENAME TO webhook_deliveries_due_old;
    ALTER INDEX webhook_deliveries_endpoint RENAME TO webhook_deliveries_endpoint_old;
    ALTER INDEX webhook_deliveries_notification RENAME TO webhook_deliveries_notification_old;
    legacy := pg_temp.partition_in_place('webhook_deliveries', 'created_at', 'id, created_at', tomorrow, time_bound);
    ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
        CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed'));
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
    CREATE INDEX webhook_deliveries_notification ON webhook_deliveries (notification_id, created_at)
        WHERE notification_id IS NOT NULL;
    EXECUTE format('ALTER TABLE webhook_deliveries ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', legacy, time_bound);

    -- The next days' partitions; from here on the retention job keeps them coming.
    FOR d IN 0..6 LOOP
        PERFORM notifly_add_partition(t::regclass, t || '_p' || to_char(tomorrow + d, 'YYYYMMDD'),
                                      notifly_uuid_floor((tomorrow + d)::timestamp AT TIME ZONE 'UTC')::text,
                                      notifly_uuid_floor((tomorrow + d + 1)::timestamp AT TIME ZONE 'UTC')::text)
           FROM unnest(ARRAY['notifications', 'notification_events', 'notification_logs', 'notification_outbox']) AS t;
        PERFORM notifly_add_partition('webhook_deliveries', 'webhook_deliveries_p' || to_char(tomorrow + d, 'YYYYMMDD'),
                                      ((tomorrow + d)::timestamp AT TIME ZONE 'UTC')::text,
                                      ((tomorrow + d + 1)::timestamp AT TIME ZONE 'UTC')::text);
    END LOOP;
END $$;

-- The legacy partitions' own policies and grants are harmless: every query goes through the parent.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO notifly_tenant;
