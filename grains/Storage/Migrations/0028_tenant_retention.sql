-- A tenant's own retention in days (PUT /api/admin/settings, "retention"): the retention job
-- deletes the tenant's final notifications older than this, before their day's partition goes
-- (docs/0035). Null: the deployment's retention.
ALTER TABLE tenants ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 3650);
