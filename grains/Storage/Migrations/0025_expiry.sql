-- A notification's expiresAt (issue 15): after it nothing is attempted, and what was not sent
-- ends EXPIRED instead of going out late after an outage. Null: no expiry. Nullable, no
-- default: instant on a big table.
ALTER TABLE notifications ADD COLUMN expires_at timestamptz;
