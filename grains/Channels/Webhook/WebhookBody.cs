using System.Text.Json;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>The JSON a webhook receives: the Standard Webhooks envelope around our metadata.</summary>
internal static class WebhookBody
{
    /// <exception cref="JsonException"><see cref="SendWork.PayloadJson"/> is not JSON.</exception>
    public static byte[] Build(SendWork work, DateTimeOffset now)
    {
        // Parsed rather than written raw so the receiver gets the payload as a JSON value, never
        // a string, and a corrupt payload fails here instead of on the receiver's side.
        using var payload = JsonDocument.Parse(work.PayloadJson);

        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", work.EventType);
            writer.WriteString("timestamp", now.UtcDateTime);
            writer.WriteStartObject("data");
            writer.WriteString("notificationId", work.NotificationId);
            writer.WriteString("correlationId", work.CorrelationId);
            writer.WriteString("eventType", work.EventType);
            writer.WriteString("userId", work.UserId);
            // A template's rendering (or the caller's own subject/body): without them a webhook
            // receiver could not see what a templated notification says.
            if (work.Subject is not null) writer.WriteString("subject", work.Subject);
            if (work.Body is not null) writer.WriteString("body", work.Body);
            writer.WritePropertyName("payload");
            payload.RootElement.WriteTo(writer);
            writer.WriteNumber("attempt", work.Attempt);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
