-- A notification's page shows the status-webhook deliveries it caused, across the tenant's
-- endpoints (GET /api/webhooks/deliveries?notificationId=). Without this index that is a scan of
-- every delivery kept; with it, one probe. Test pings have no notification and take no entry.
CREATE INDEX webhook_deliveries_notification ON webhook_deliveries (notification_id, created_at)
    WHERE notification_id IS NOT NULL;
