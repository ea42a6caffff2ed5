-- GET /api/admin/logs lists a tenant's delivery attempts newest first, by time window, paging
-- on (created_at, id): this index walks exactly that order, and a filter on status, channel or
-- event type reads along it. One more index entry per attempt, the price of a log that answers
-- in milliseconds on a tenant with millions of attempts (BENCHMARKS.md, "Delivery log").
CREATE INDEX notification_logs_tenant_created ON notification_logs (tenant_id, created_at DESC, id DESC);
