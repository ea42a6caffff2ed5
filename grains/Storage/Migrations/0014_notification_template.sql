-- Which template version rendered a notification's subject and body ({name, version, locale}),
-- so GET /api/notifications/{id} can say what it sends. Null for a request that brought its own
-- text, and for notifications stored before this column.
ALTER TABLE notifications ADD COLUMN template jsonb;
