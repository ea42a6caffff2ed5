-- Delivery receipts (docs/0014) find the notification by the provider's message id.
CREATE INDEX notification_logs_provider_message_id ON notification_logs (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
