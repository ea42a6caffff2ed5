-- Status webhooks (seed 004's webhook system, docs/0017): HTTPS endpoints a tenant registers to
-- hear about its notifications' lifecycle, and one delivery per (event, subscribed endpoint),
-- written in the same transaction as the status change it reports (TurnWriter, IntakeBatch).
CREATE TABLE webhook_endpoints (
    id                         uuid PRIMARY KEY,
    tenant_id                  uuid NOT NULL REFERENCES tenants (id),
    url                        text NOT NULL,
    description                text,
    events                     text[] NOT NULL CHECK (cardinality(events) > 0),
    -- Sent with every call; names the API refuses (webhook-*, Content-Type, Host, …) never get here.
    headers                    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    timeout_seconds            integer NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 30),
    is_active                  boolean NOT NULL DEFAULT true,
    disabled_at                timestamptz,
    disabled_reason            text,
    -- Failed attempts since the last success, and when that run began: an endpoint failing
    -- long and often enough is disabled (Notifly:StatusWebhooks:DisableAfter*).
    consecutive_failures       integer NOT NULL DEFAULT 0,
    failing_since              timestamptz,
    -- Signing secrets sealed with SecretBox (docs/0015), associated data 'webhook-endpoint:{id}'
    -- for both, so rotation moves the sealed value between the columns without opening it.
    secret                     bytea NOT NULL,
    previous_secret            bytea,
    previous_secret_expires_at timestamptz,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
-- Every status change of a deployment with endpoints probes this (tenant, active) index once.
CREATE INDEX webhook_endpoints_active ON webhook_endpoints (tenant_id) WHERE is_active;

-- No foreign keys on this hot table (as in 0001): an FK check would share-lock the endpoint row
-- on every insert. Deleting an endpoint deletes its deliveries; the dispatcher drops orphans.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    endpoint_id     uuid NOT NULL,
    -- One status change reported to several endpoints shares its event id.
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    notification_id uuid,
    -- The exact body sent, built when the event happened: a later state never leaks into it.
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
    attempt_count   integer NOT NULL DEFAULT 0,
    -- attempt_count when the delivery was last queued by hand: the retry schedule counts from it.
    round_start     integer NOT NULL DEFAULT 0,
    -- When pending/retrying: the next attempt, or while one is in flight the end of its lease.
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    response_status integer,
    response_body   text,
    error           text,
    created_at      timestamptz NOT NULL
);
-- The dispatcher's claim: due rows in time order, only among those still to be attempted.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying');
-- The API's listing (keyset on created_at, id), the retention sweep and endpoint deletion.
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then. Tenant-scoped turns
-- (cancel, manual DLQ retry) write deliveries too.
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_deliveries TO notifly_tenant;
