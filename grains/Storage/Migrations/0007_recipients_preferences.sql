-- Recipient profiles and preferences (docs/0009). A profile lets a request name only userId;
-- intake copies the addresses it lacks from here, so the notification keeps the addresses it
-- was accepted with.
CREATE TABLE recipient_profiles (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    user_id     text NOT NULL,
    email       text,
    phone       text,
    push_tokens text[] NOT NULL DEFAULT '{}',
    webhook_url text,
    locale      text,
    timezone    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);

-- Seed 000's user_channel_preferences, widened with an event type: '' is the channel as a
-- whole, anything else only that event type (NULL would defeat the unique index). A row with
-- is_enabled = false is an opt-out; a user with no rows receives everything.
CREATE TABLE user_channel_preferences (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    user_id    text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH', 'WEBHOOK')),
    event_type text NOT NULL DEFAULT '',
    is_enabled boolean NOT NULL,
    source     text NOT NULL DEFAULT 'API' CHECK (source IN ('API', 'ONE_CLICK')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, user_id, channel, event_type)
);

ALTER TABLE recipient_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON recipient_profiles
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());
ALTER TABLE user_channel_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_channel_preferences
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then.
GRANT SELECT, INSERT, UPDATE, DELETE ON recipient_profiles, user_channel_preferences TO notifly_tenant;

-- The key of the one-click unsubscribe links (HMAC-SHA256). Never shown to the tenant, unlike the
-- webhook secret, so a link cannot be forged by anyone who can read webhook signatures. Two
-- gen_random_uuid() values: 244 random bits from the server's strong generator, without pgcrypto.
ALTER TABLE tenants ADD COLUMN unsubscribe_key bytea NOT NULL
    DEFAULT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
