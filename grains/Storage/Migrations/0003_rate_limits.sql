-- Per-tenant rate limits (seed 000's rate_limit_config) and the token buckets that enforce them
-- (docs/0006). A tenant without a config row gets the deployment's defaults
-- (Notifly:RateLimits:Default*), passed to the lease function by the caller.
CREATE TABLE rate_limit_config (
    tenant_id           uuid PRIMARY KEY,
    requests_per_minute integer NOT NULL CHECK (requests_per_minute > 0),
    requests_per_hour   integer NOT NULL CHECK (requests_per_hour > 0),
    burst_limit         integer NOT NULL CHECK (burst_limit > 0),
    updated_at          timestamptz NOT NULL
);

-- Two token buckets per tenant in one row: the minute bucket (capacity burst_limit, refilled at
-- requests_per_minute / 60 per second) and the hour bucket (capacity requests_per_hour, refilled
-- at requests_per_hour / 3600 per second). A request takes a token from both. Tokens may go
-- negative: Kafka intake borrows what it schedules for later, so REST waits until it is repaid.
-- Nodes touch the row once per lease of a block, never per request; leases counts those touches.
CREATE TABLE rate_limit_buckets (
    tenant_id     uuid PRIMARY KEY,
    minute_tokens double precision NOT NULL,
    hour_tokens   double precision NOT NULL,
    refreshed_at  timestamptz NOT NULL,
    leases        bigint NOT NULL DEFAULT 0
);

ALTER TABLE rate_limit_config ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rate_limit_config
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());
ALTER TABLE rate_limit_buckets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rate_limit_buckets
    USING (tenant_id = notifly_current_tenant()) WITH CHECK (tenant_id = notifly_current_tenant());

-- 0001's GRANT ... ON ALL TABLES covered only the tables that existed then.
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_config, rate_limit_buckets TO notifly_tenant;

-- One lease: refill both buckets for the time since the last lease, take up to
-- greatest(p_needed, block) tokens (all of p_needed, into debt, when p_borrow), and report what
-- was there before the take with the limits in force, so the caller can compute Retry-After or
-- when each borrowed token comes due. The config is read here rather than from the caller's
-- cache so a lease always sees the current limits. Runs as the connecting role (system work).
CREATE FUNCTION notifly_lease_tokens(
    p_tenant uuid, p_needed integer, p_max_block integer, p_borrow boolean, p_now timestamptz,
    p_default_per_minute integer, p_default_per_hour integer, p_default_burst integer)
RETURNS TABLE (granted integer, minute_available double precision, hour_available double precision,
               per_minute integer, per_hour integer, burst integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_per_minute integer;
    v_per_hour   integer;
    v_burst      integer;
    v_minute     double precision;
    v_hour       double precision;
    v_at         timestamptz;
    v_elapsed    double precision;
    v_block      integer;
    v_take       integer;
BEGIN
    -- Kafka may name a tenant that does not exist (dead-lettered later): no bucket row for it.
    IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant) THEN
        RETURN QUERY SELECT p_needed, p_needed::double precision, p_needed::double precision,
                            p_default_per_minute, p_default_per_hour, p_default_burst;
        RETURN;
    END IF;

    SELECT c.requests_per_minute, c.requests_per_hour, c.burst_limit INTO v_per_minute, v_per_hour, v_burst
      FROM rate_limit_config c WHERE c.tenant_id = p_tenant;
    IF NOT FOUND THEN
        v_per_minute := p_default_per_minute;
        v_per_hour := p_default_per_hour;
        v_burst := p_default_burst;
    END IF;

    SELECT b.minute_tokens, b.hour_tokens, b.refreshed_at INTO v_minute, v_hour, v_at
      FROM rate_limit_buckets b WHERE b.tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        -- A new bucket starts full. Two nodes creating it at once: one insert wins, both lock it.
        INSERT INTO rate_limit_buckets (tenant_id, minute_tokens, hour_tokens, refreshed_at)
        VALUES (p_tenant, v_burst, v_per_hour, p_now) ON CONFLICT (tenant_id) DO NOTHING;
        SELECT b.minute_tokens, b.hour_tokens, b.refreshed_at INTO v_minute, v_hour, v_at
          FROM rate_limit_buckets b WHERE b.tenant_id = p_tenant FOR UPDATE;
    END IF;

    -- Nodes' clocks may differ a little: time never runs backwards for the bucket.
    v_elapsed := greatest(0, extract(epoch FROM p_now - v_at));
    v_minute := least(v_burst, v_minute + v_elapsed * v_per_minute / 60.0);
    v_hour := least(v_per_hour, v_hour + v_elapsed * v_per_hour / 3600.0);

    -- A block is a twentieth of the smaller limit, capped: over-admission is at most one block
    -- per node, so the block must stay small next to the limit.
    v_block := greatest(1, least(p_max_block, least(v_burst, v_per_minute, v_per_hour) / 20));
    IF p_borrow THEN
        v_take := p_needed;
    ELSE
        v_take := greatest(0, least(greatest(p_needed, v_block), floor(v_minute)::integer, floor(v_hour)::integer));
    END IF;

    UPDATE rate_limit_buckets b
       SET minute_tokens = v_minute - v_take, hour_tokens = v_hour - v_take,
           refreshed_at = greatest(v_at, p_now), leases = b.leases + 1
     WHERE b.tenant_id = p_tenant;

    RETURN QUERY SELECT v_take, v_minute, v_hour, v_per_minute, v_per_hour, v_burst;
END $$;
