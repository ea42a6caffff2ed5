-- What the outbox relay costs PostgreSQL per event (docs/0005; BENCHMARKS.md, "Kafka intake's
-- PostgreSQL cost"):
-- * rows carry the notification's correlation id and event type, so the relay no longer joins
--   notifications to complete each message (NULL in rows written before this migration, which the
--   relay still completes by a lookup);
-- * the relay deletes what it published (Kafka:Outbox:Retention = 0, the default) instead of
--   marking it sent and deleting it an hour later: one small WAL record per row instead of a whole
--   new row version, and half the dead rows for vacuum;
-- * the ordering guard looks at the rows the claim skipped, found in the unsent index it already
--   walks, instead of probing an index of its own per claimed row: that index goes, and with it an
--   insert per event.
ALTER TABLE notification_outbox ADD COLUMN correlation_id uuid, ADD COLUMN event_type text;

DROP INDEX notification_outbox_unsent_notification;

-- Sent rows (Retention > 0, or marked by a relay before this migration) for the retention sweep,
-- which would otherwise walk every unsent row by id to find them. Empty while rows are deleted at
-- publication: new rows are unsent, and a deleted row is never indexed here.
CREATE INDEX notification_outbox_sent ON notification_outbox (id) WHERE sent_at IS NOT NULL;
