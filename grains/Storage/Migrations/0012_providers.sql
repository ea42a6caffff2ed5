-- Seed 004's providers, per tenant (docs/0015): several per channel, tried in priority order
-- (lowest first). settings holds what may be shown (sender id, base URL, timeout); credentials
-- holds a JSON object sealed with AES-GCM (SecretBox) and is never returned by the API.
CREATE TABLE providers (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    name            text NOT NULL,
    kind            text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH', 'WEBHOOK')),
    priority        integer NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    settings        jsonb NOT NULL DEFAULT '{}',
    credentials     bytea,
    -- The names of the sealed fields, so listing providers never needs to decrypt.
    credential_fields text[] NOT NULL DEFAULT '{}',
    max_concurrency integer,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX providers_tenant_channel ON providers (tenant_id, channel, priority);

ALTER TABLE providers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON providers
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then.
GRANT SELECT, INSERT, UPDATE, DELETE ON providers TO notifly_tenant;

-- Which provider took (or failed) each attempt: a failover shows in the attempt log.
ALTER TABLE notification_logs ADD COLUMN provider text;
