-- The transactional outbox (seed 000's outbox table): every status change and every dead
-- letter of a notification, written in the turn's own transaction, published to Kafka by the
-- silo's OutboxRelay. Rows are written only while Kafka is configured (docs/0005).
CREATE TABLE notification_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    notification_id uuid NOT NULL,
    -- The logical topic (notification.status, notification.send.dlt), without the deployment's
    -- prefix: rows stay valid if the prefix changes.
    topic           text NOT NULL,
    -- What the writer knew; the relay adds the event id, correlation id and event type.
    event_payload   jsonb NOT NULL,
    retry_count     integer NOT NULL DEFAULT 0,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
-- The relay's claim (ORDER BY id among unsent rows) and its ordering guard (an earlier unsent row
-- of the same notification) both read only unsent rows; sent rows wait only for retention.
CREATE INDEX notification_outbox_unsent ON notification_outbox (id) WHERE sent_at IS NULL;
CREATE INDEX notification_outbox_unsent_notification ON notification_outbox (notification_id, id) WHERE sent_at IS NULL;

ALTER TABLE notification_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_outbox
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then. Tenant-scoped turns
-- (cancel, manual DLQ retry) insert outbox rows, which draws on the identity sequence too.
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_outbox TO notifly_tenant;
GRANT USAGE ON SEQUENCE notification_outbox_id_seq TO notifly_tenant;
