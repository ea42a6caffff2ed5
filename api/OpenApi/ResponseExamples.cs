using Notifly.Api.Notifications;
using Notifly.Api.Providers;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.GrainInterfaces.Templates;
using Notifly.Grains.Tenants;

namespace Notifly.Api.OpenApi;

/// <summary>
/// What the main answers look like, continuing <see cref="RequestExamples"/>' story. Types that
/// are both asked and answered (settings, recipients) take their request example.
/// </summary>
internal static class ResponseExamples
{
    private const string Notification = """
        {
          "id": "01938f3e-7a4c-7d21-9b6e-5c1f0a2d3e4f",
          "requestId": "01938f3e-7a4c-7d21-9b6e-5c1f0a2d3e4f",
          "correlationId": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
          "eventType": "order.shipped",
          "status": "DELIVERED",
          "priority": "high",
          "channels": ["EMAIL"],
          "idempotencyKey": "order-A-1042-shipped",
          "createdAt": "2026-11-30T10:47:01.041Z",
          "updatedAt": "2026-11-30T10:47:03.310Z"
        }
        """;

    private const string WebhookEndpoint = """
        {
          "id": "01938f41-02b7-7c55-a1d4-8e3f6b9c0d12",
          "url": "https://hooks.shop.example/notifly/status",
          "description": "Order service status feed",
          "events": ["notification.delivered", "notification.failed", "notification.bounced"],
          "headers": { "X-Env": "production" },
          "timeoutSeconds": 10,
          "active": true,
          "consecutiveFailures": 0,
          "createdAt": "2026-11-30T10:50:12.500Z",
          "updatedAt": "2026-11-30T10:50:12.500Z"
        }
        """;

    public static IReadOnlyDictionary<Type, string> ByType { get; } = new Dictionary<Type, string>
    {
        [typeof(NotificationAccepted)] = """
            {
              "requestId": "01938f3e-7a4c-7d21-9b6e-5c1f0a2d3e4f",
              "status": "ACCEPTED",
              "correlationId": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
            }
            """,
        [typeof(BatchResponse)] = """
            {
              "accepted": 1,
              "rejected": 1,
              "results": [
                {
                  "index": 0,
                  "status": 202,
                  "requestId": "01938f3f-1b2c-7a3d-8e4f-5a6b7c8d9e0f",
                  "correlationId": "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f",
                  "replayed": false
                },
                {
                  "index": 1,
                  "status": 400,
                  "replayed": false,
                  "errorCode": "VALIDATION_FAILED",
                  "error": "a valid recipient.email is required for the EMAIL channel."
                }
              ]
            }
            """,
        [typeof(NotificationDetails)] = $$"""
            {
              "notification": {{Notification}},
              "content": {
                "recipient": { "email": "ada@example.com" },
                "subject": "Your order A-1042 has shipped",
                "body": "<p>Hi Ada,</p><p>Order A-1042 is on its way with UPS.</p>",
                "bodyIsHtml": true,
                "payload": { "orderId": "A-1042", "name": "Ada", "carrier": "UPS" },
                "template": { "name": "order-shipped", "version": 3, "locale": "en-GB" }
              },
              "deliveries": [
                { "channel": "EMAIL", "status": "DELIVERED", "attempts": 1, "sentAt": "2026-11-30T10:47:02.721Z" }
              ],
              "logs": [
                {
                  "channel": "EMAIL", "attempt": 1, "status": "SENT", "latencyMs": 182,
                  "createdAt": "2026-11-30T10:47:02.721Z", "provider": "sendgrid-primary"
                }
              ]
            }
            """,
        [typeof(Page<NotificationView>)] = $$"""
            {
              "items": [{{Notification}}],
              "nextCursor": "MjAyNi0xMS0zMFQxMDo0NzowMS4wNDFafDAxOTM4ZjNlLTdhNGMtN2QyMS05YjZlLTVjMWYwYTJkM2U0Zg"
            }
            """,
        [typeof(CreatedApiKey)] = """
            {
              "key": {
                "id": "01938f40-5d6e-7f80-9a1b-2c3d4e5f6a7b",
                "name": "checkout-service",
                "prefix": "zarffq7uyyic",
                "role": "SERVICE",
                "createdAt": "2026-11-30T10:47:08.431Z"
              },
              "secret": "nf_live_zarffq7uyyic.6E6zatZEDbZJuaNiVlOFUSS_Yr6InxadyhASWND_Xvs"
            }
            """,
        [typeof(TemplateCreated)] = """
            { "name": "order-shipped", "channel": "EMAIL", "version": 3, "active": true, "undeclaredVariables": [] }
            """,
        [typeof(RenderedTemplate)] = """
            {
              "name": "order-shipped",
              "channel": "EMAIL",
              "version": 3,
              "subject": "Your order A-1042 has shipped",
              "body": "<p>Hi Ada,</p><p>Order A-1042 is on its way with UPS.</p>"
            }
            """,
        [typeof(WebhookEndpointCreated)] = $$"""
            {
              "endpoint": {{WebhookEndpoint}},
              "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            }
            """,
        [typeof(WebhookEndpointView)] = WebhookEndpoint,
        [typeof(ProviderResponse)] = """
            {
              "id": "01938f42-9e8d-7c6b-a5f4-e3d2c1b0a998",
              "name": "sendgrid-primary",
              "kind": "sendgrid",
              "channel": "EMAIL",
              "priority": 10,
              "active": true,
              "settings": { "from": "no-reply@shop.example", "fromName": "Example Shop" },
              "credentials": ["apiKey"],
              "maxConcurrency": 20,
              "circuit": "closed",
              "createdAt": "2026-11-30T10:52:40.118Z",
              "updatedAt": "2026-11-30T10:52:40.118Z"
            }
            """,
    };
}
