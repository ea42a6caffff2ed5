-- A tenant's time-to-live per event type (docs/0033): a request naming no expiresAt expires this
-- many seconds after it is due. Null: no default expiry.
ALTER TABLE retry_policy ADD COLUMN ttl_seconds integer CHECK (ttl_seconds > 0);
