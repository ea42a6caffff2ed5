-- A suspended tenant's work waits where it is: its reminders stay, with their due times, and the
-- dispatcher's claim passes over its queues until an operator resumes it. The next due time must
-- pass over them too, or the dispatcher would see a reminder due in the past and poll at its
-- shortest wait for as long as the suspension lasts. With no tenant suspended (the usual case) the
-- function reads the first entry of reminders_due as before; otherwise it asks each queue of an
-- active tenant for its first due time (one probe of reminders_queues per queue, found with the
-- same loose index scan as the claim), so a suspended tenant's backlog is never walked.
CREATE OR REPLACE FUNCTION notifly_next_due_at() RETURNS timestamptz
    LANGUAGE sql STABLE
    SET enable_seqscan = off
AS $$
    SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM tenants WHERE status = 'SUSPENDED')
            THEN (SELECT min(due_at) FROM reminders WHERE kind = 'notification')
        ELSE (
            WITH RECURSIVE queues AS (
                (SELECT priority, tenant_id FROM reminders WHERE kind = 'notification' ORDER BY priority, tenant_id LIMIT 1)
                UNION ALL
                SELECT next.priority, next.tenant_id
                  FROM queues q
                 CROSS JOIN LATERAL (SELECT r.priority, r.tenant_id FROM reminders r
                                      WHERE r.kind = 'notification' AND (r.priority, r.tenant_id) > (q.priority, q.tenant_id)
                                      ORDER BY r.priority, r.tenant_id LIMIT 1) next
            )
            SELECT min(first.due_at)
              FROM queues q
             CROSS JOIN LATERAL (SELECT r.due_at FROM reminders r
                                  WHERE r.kind = 'notification' AND r.priority = q.priority AND r.tenant_id = q.tenant_id
                                  ORDER BY r.due_at LIMIT 1) first
             WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = q.tenant_id AND t.status = 'SUSPENDED'))
    END
$$;

-- Operators list tenants newest first.
CREATE INDEX tenants_created ON tenants (created_at DESC, id DESC);
