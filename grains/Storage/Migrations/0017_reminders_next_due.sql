-- When the earliest reminder is due: the dispatcher asks each time a claim finds nothing due,
-- which with Kafka on is after every ingestion batch. Npgsql prepares the statement, and
-- PostgreSQL keeps the plan it made the first time: made while reminders was empty (a quiet
-- queue, or just vacuumed), that plan is a sequential scan, and it stays one as the queue grows
-- until something invalidates it, reading every reminder on every call (1,705 pages and 21 ms at
-- 150,000 reminders, against 3 pages through reminders_due). Planned inside this function, with
-- sequential scans off, the statement always walks reminders_due to its first row, whatever the
-- table held when it was first planned. BENCHMARKS.md, "Kafka intake's PostgreSQL cost".
CREATE FUNCTION notifly_next_due_at() RETURNS timestamptz
    LANGUAGE sql STABLE
    SET enable_seqscan = off
AS $$ SELECT min(due_at) FROM reminders WHERE kind = 'notification' $$;
