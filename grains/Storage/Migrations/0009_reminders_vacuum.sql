-- reminders is a queue: every delivered notification deletes its row. The dispatcher's claim
-- finds queues by a loose index scan (docs/0010), and dead index entries of drained queues
-- lie in its path until vacuum removes them. Vacuum this table after a fixed number of dead
-- rows, not a fraction of its size, and without throttling: it is small when healthy.
ALTER TABLE reminders SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 10000,
    autovacuum_vacuum_cost_delay = 0,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 10000
);
