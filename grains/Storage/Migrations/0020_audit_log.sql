-- The audit log (seed 000's admin_audit_logs) records who made each administrative change and
-- from where. A tenant-scoped transaction names its caller in settings (Database.
-- BeginTenantScopeAsync), and the columns take them by default, so no statement that writes an
-- audit row can forget them. user_id is the signed-in user; an API key's rows name it in actor.
ALTER TABLE admin_audit_logs
    ADD COLUMN user_id uuid DEFAULT nullif(current_setting('notifly.user_id', true), '')::uuid,
    ALTER COLUMN ip_address SET DEFAULT nullif(current_setting('notifly.client_ip', true), ''),
    ALTER COLUMN user_agent SET DEFAULT nullif(current_setting('notifly.user_agent', true), '');

-- The API lists a tenant's rows newest first.
CREATE INDEX admin_audit_logs_tenant ON admin_audit_logs (tenant_id, id DESC);

-- Append-only: no role the application uses may change or remove a row. Retention (dropping
-- whole partitions) is DDL and is not stopped by row triggers.
CREATE FUNCTION notifly_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit_logs is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER admin_audit_logs_append_only
    BEFORE UPDATE OR DELETE ON admin_audit_logs
    FOR EACH ROW EXECUTE FUNCTION notifly_audit_append_only();
CREATE TRIGGER admin_audit_logs_no_truncate
    BEFORE TRUNCATE ON admin_audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION notifly_audit_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON admin_audit_logs FROM notifly_tenant;
