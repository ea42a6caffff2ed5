-- Which silo holds a notification's attempt lease: set while an attempt runs (the reminder is then
-- the lease's expiry), null otherwise. When the cluster declares that silo dead, a survivor brings
-- its leases due at once instead of waiting for them to expire (docs/0020). Null for reminders
-- written before this column, and by nodes that host no silo. No index: it is read only when a silo
-- dies, and one scan then is cheaper than an index entry per attempt.
ALTER TABLE reminders ADD COLUMN owner text;
