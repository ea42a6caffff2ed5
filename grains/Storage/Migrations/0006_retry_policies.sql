-- Retry policies and channel fallback orders per event type (seed 000's retry_policy and
-- event_channel_policy; docs/0008). Event type '*' is the tenant's default for event types
-- without a row of their own; without either, the deployment's Notifly:Retry applies.
CREATE TABLE retry_policy (
    tenant_id          uuid NOT NULL,
    event_type         text NOT NULL,
    max_attempts       integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 20),
    initial_delay_ms   integer NOT NULL DEFAULT 1000 CHECK (initial_delay_ms > 0),
    max_delay_ms       integer NOT NULL DEFAULT 60000 CHECK (max_delay_ms >= initial_delay_ms),
    backoff_multiplier double precision NOT NULL DEFAULT 1.5 CHECK (backoff_multiplier >= 1),
    updated_at         timestamptz NOT NULL,
    UNIQUE (tenant_id, event_type)
);

-- fallback_order: the channels in the order they are tried, e.g. ["EMAIL","SMS","PUSH"].
CREATE TABLE event_channel_policy (
    tenant_id      uuid NOT NULL,
    event_type     text NOT NULL,
    fallback_order jsonb NOT NULL CHECK (jsonb_typeof(fallback_order) = 'array' AND jsonb_array_length(fallback_order) > 0),
    updated_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, event_type)
);

ALTER TABLE retry_policy ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON retry_policy
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());
ALTER TABLE event_channel_policy ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_channel_policy
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then.
GRANT SELECT, INSERT, UPDATE, DELETE ON retry_policy, event_channel_policy TO notifly_tenant;

-- The policy a notification was accepted under, bound for its whole life (null: the deployment's).
ALTER TABLE notifications ADD COLUMN retry_policy jsonb;
