-- Dispatch claims per (priority, tenant) queue: the claim walks the distinct queues through this
-- index (one probe each) and takes the oldest due reminders of each, so a tenant's backlog cannot
-- hide another tenant's work, and instant/high come before normal/low.
CREATE INDEX reminders_queues ON reminders (kind, priority, tenant_id, due_at);
