-- Seed 000's admin users: people who sign in to a tenant (the dashboard), beside its API keys.
-- Email is unique per tenant and stored lower-cased; the password is a bcrypt hash, NULL until
-- the user accepts the invitation that set-password link carries.
CREATE TABLE admin_users (
    id            uuid PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    email         text NOT NULL CHECK (email = lower(email)),
    password_hash text,
    role          text NOT NULL CHECK (role IN ('ADMIN', 'EDITOR', 'VIEWER')),
    is_active     boolean NOT NULL DEFAULT true,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, email)
);

-- A sign-in: one family of rotating refresh tokens. Logging out, a reused refresh token, or
-- deactivating the user revokes the whole family.
CREATE TABLE user_sessions (
    id         uuid PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX user_sessions_user ON user_sessions (user_id) WHERE revoked_at IS NULL;

-- Each refresh token issued, by its SHA-256: used once, then it only proves a replay.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES user_sessions (id) ON DELETE CASCADE,
    tenant_id  uuid NOT NULL,
    issued_at  timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- One-time set-password links (invitations and resets), by their SHA-256.
CREATE TABLE user_invitations (
    token_hash bytea PRIMARY KEY,
    tenant_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX user_invitations_user ON user_invitations (user_id);

-- Failed sign-ins per account and per address, across every node: after too many in a window
-- the key is locked for a while, and the answer says when to try again.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    window_start timestamptz NOT NULL,
    locked_until timestamptz
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['admin_users', 'user_sessions', 'refresh_tokens', 'user_invitations']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = notifly_current_tenant()) '
                       'WITH CHECK (tenant_id = notifly_current_tenant())', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON admin_users, user_sessions, refresh_tokens, user_invitations TO notifly_tenant;
