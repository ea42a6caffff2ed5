-- W3C trace context (a traceparent, e.g. 00-<trace id>-<span id>-01) of the REST request or Kafka
-- message that created a notification, so the attempts made later, and the status events the
-- relay publishes, join the same trace. Null when the request was not traced. Adding a nullable
-- column without a default rewrites nothing: instant on a big table.
ALTER TABLE notifications ADD COLUMN trace_parent text;
ALTER TABLE notification_outbox ADD COLUMN trace_parent text;
