-- Foundation schema: tenants, API keys, notification grains, reminders, audit, attempts, DLQ.
-- Hot tables (notifications, reminders, notification_events, notification_logs) carry no
-- foreign keys: every FK check is an index probe on the intake path, and the runtime is the
-- only writer. Tenant isolation is enforced by Row Level Security, not by FKs.

-- The role tenant-scoped transactions switch to with SET LOCAL ROLE. Roles are cluster-wide,
-- so two databases migrating at once may race to create it: swallow that race.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'notifly_tenant') THEN
        CREATE ROLE notifly_tenant NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT notifly_tenant TO %I', current_user);
EXCEPTION WHEN others THEN
    NULL; -- already a member, or a superuser (which needs no grant)
END $$;

-- The tenant of the current transaction; NULL when none is set. After a SET LOCAL ends the
-- setting reads as '' rather than NULL, hence the NULLIF.
CREATE FUNCTION notifly_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('notifly.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    slug           text NOT NULL UNIQUE,
    status         text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    webhook_secret text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    name         text NOT NULL,
    key_prefix   text NOT NULL UNIQUE,
    key_hash     bytea NOT NULL,
    role         text NOT NULL CHECK (role IN ('ADMIN', 'SERVICE')),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at DESC);

-- One row per NotificationGrain: the grain's whole state, versioned. Per-channel deliveries
-- live in the row (jsonb) so that a turn locks, reads and writes exactly one row.
CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    correlation_id  uuid NOT NULL,
    idempotency_key text,
    payload_hash    bytea NOT NULL,
    event_type      text NOT NULL,
    priority        smallint NOT NULL,
    channels        text[] NOT NULL,
    recipient       jsonb NOT NULL,
    user_id         text,
    subject         text,
    body            text,
    payload         jsonb NOT NULL,
    status          text NOT NULL,
    deliveries      jsonb NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    send_at         timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE UNIQUE INDEX notifications_idempotency ON notifications (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX notifications_tenant_created ON notifications (tenant_id, created_at DESC, id DESC);

-- Durable grain timers. The reminder service claims due rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE reminders (
    grain_id  uuid NOT NULL,
    kind      text NOT NULL,
    tenant_id uuid NOT NULL,
    due_at    timestamptz NOT NULL,
    priority  smallint NOT NULL DEFAULT 2,
    PRIMARY KEY (grain_id, kind)
);
CREATE INDEX reminders_due ON reminders (due_at);

-- Seed 002's audit table: every transition of every notification.
CREATE TABLE notification_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       uuid NOT NULL,
    notification_id uuid NOT NULL,
    event           text NOT NULL,
    details         jsonb,
    created_at      timestamptz NOT NULL
);
CREATE INDEX notification_events_notification ON notification_events (notification_id, id);

-- Seed 000's notification_logs: one row per provider attempt, with its latency.
CREATE TABLE notification_logs (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id           uuid NOT NULL,
    notification_id     uuid NOT NULL,
    channel             text NOT NULL,
    attempt             integer NOT NULL,
    status              text NOT NULL,
    latency_ms          bigint,
    error_code          text,
    error_message       text,
    provider_message_id text,
    created_at          timestamptz NOT NULL,
    UNIQUE (tenant_id, notification_id, channel, attempt)
);

-- Seed 000's failed_notifications: the dead-letter queue, one open entry per failed channel.
CREATE TABLE failed_notifications (
    id                 uuid PRIMARY KEY,
    tenant_id          uuid NOT NULL,
    notification_id    uuid NOT NULL,
    channel            text NOT NULL,
    error_code         text NOT NULL,
    error_message      text,
    attempts           integer NOT NULL,
    manual_retry_count integer NOT NULL DEFAULT 0,
    status             text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RETRIED')),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX failed_notifications_tenant ON failed_notifications (tenant_id, created_at DESC, id DESC)
    WHERE status = 'OPEN';
CREATE UNIQUE INDEX failed_notifications_open ON failed_notifications (notification_id, channel)
    WHERE status = 'OPEN';

CREATE TABLE admin_audit_logs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     uuid NOT NULL,
    actor         text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    changes       jsonb,
    ip_address    text,
    user_agent    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Row Level Security on every tenant table: a tenant-scoped transaction (SET LOCAL ROLE
-- notifly_tenant + notifly.tenant_id) sees and writes only its tenant's rows, even if a query
-- forgets its WHERE tenant_id.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = notifly_current_tenant()) WITH CHECK (id = notifly_current_tenant());

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'notifications', 'reminders', 'notification_events',
                             'notification_logs', 'failed_notifications', 'admin_audit_logs']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = notifly_current_tenant()) '
                       'WITH CHECK (tenant_id = notifly_current_tenant())', t);
    END LOOP;
END $$;

GRANT USAGE ON SCHEMA public TO notifly_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO notifly_tenant;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO notifly_tenant;
