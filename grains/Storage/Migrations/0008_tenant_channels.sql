-- Channels a tenant has turned off (issue 4: CHANNEL_DISABLED where the tenant has the channel
-- off). Empty: every channel the deployment enables. Requests naming one are refused.
ALTER TABLE tenants ADD COLUMN disabled_channels text[] NOT NULL DEFAULT '{}';
