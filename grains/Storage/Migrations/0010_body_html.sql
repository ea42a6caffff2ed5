-- A body rendered from an HTML template (docs/0007) is sent as text/html by email; every other
-- body is plain text. Stored with the rendering, so a notification keeps what it rendered.
ALTER TABLE notifications ADD COLUMN body_html boolean NOT NULL DEFAULT false;
