using Notifly.Api.Admin;
using Notifly.Api.Providers;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Recipients;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.GrainInterfaces.Templates;
using Notifly.GrainInterfaces.Tenants;

namespace Notifly.Api.OpenApi;

/// <summary>
/// A realistic body for each request type, shown in the document and in /docs' "Try it out".
/// They tell one story (a shop's order-shipped message) so that they work in sequence: the
/// tests send each to a real node and expect it accepted.
/// </summary>
internal static class RequestExamples
{
    public static IReadOnlyDictionary<Type, string> ByType { get; } = new Dictionary<Type, string>
    {
        [typeof(SendNotificationRequest)] = """
            {
              "eventType": "order.shipped",
              "channels": ["EMAIL"],
              "recipient": { "email": "ada@example.com" },
              "subject": "Your order A-1042 has shipped",
              "body": "Hi Ada, order A-1042 is on its way with UPS.",
              "payload": { "orderId": "A-1042", "carrier": "UPS" },
              "priority": "high",
              "idempotencyKey": "order-A-1042-shipped"
            }
            """,
        [typeof(BatchSendRequest)] = """
            {
              "notifications": [
                {
                  "eventType": "order.shipped",
                  "userId": "user-42",
                  "channels": ["EMAIL"],
                  "template": "order-shipped",
                  "payload": { "orderId": "A-1043", "name": "Ada", "carrier": "DHL" }
                },
                {
                  "eventType": "order.shipped",
                  "channels": ["EMAIL"],
                  "recipient": { "email": "grace@example.com" },
                  "subject": "Your order A-1044 has shipped",
                  "body": "Hi Grace, order A-1044 is on its way.",
                  "payload": { "orderId": "A-1044" },
                  "priority": "normal"
                }
              ]
            }
            """,
        [typeof(CreateTemplateRequest)] = """
            {
              "name": "order-shipped",
              "channel": "EMAIL",
              "subject": "Your order {{orderId}} has shipped",
              "body": "<p>Hi {{name}},</p><p>Order {{orderId}} is on its way with {{carrier}}.</p>",
              "variables": [
                { "name": "orderId", "required": true, "sample": "A-1042" },
                { "name": "name", "required": true, "sample": "Ada" },
                { "name": "carrier", "sample": "UPS" }
              ],
              "activate": true
            }
            """,
        [typeof(RenderDraftRequest)] = """
            {
              "channel": "EMAIL",
              "subject": "Your order {{orderId}} has shipped",
              "body": "<p>Hi {{name}},</p><p>Order {{orderId}} is on its way with {{carrier}}.</p>",
              "variables": { "orderId": "A-1042", "name": "Ada", "carrier": "UPS" }
            }
            """,
        [typeof(PreviewTemplateRequest)] = """
            {
              "channel": "EMAIL",
              "locale": "en-GB",
              "variables": { "orderId": "A-1042", "name": "Ada", "carrier": "UPS" }
            }
            """,
        [typeof(TenantSettings)] = """
            {
              "rateLimits": { "requestsPerMinute": 600, "requestsPerHour": 20000, "burstLimit": 100 },
              "retryPolicies": {
                "default": { "maxAttempts": 5, "initialDelayMs": 1000, "maxDelayMs": 300000, "backoffMultiplier": 2.0 },
                "eventTypes": {
                  "otp.requested": { "maxAttempts": 2, "initialDelayMs": 500, "maxDelayMs": 2000, "backoffMultiplier": 2.0 }
                }
              },
              "channelFallback": { "otp.requested": ["SMS", "EMAIL"], "*": ["EMAIL", "PUSH"] },
              "disabledChannels": ["WEBHOOK"]
            }
            """,
        [typeof(RecipientProfile)] = """
            {
              "email": "ada@example.com",
              "phone": "+15551234567",
              "pushTokens": ["fcm-dGhpcy1pcy1hLXRva2Vu"],
              "locale": "en-GB",
              "timezone": "Europe/London"
            }
            """,
        [typeof(RecipientPreferences)] = """
            {
              "channels": { "SMS": false },
              "eventTypes": { "marketing.digest": { "EMAIL": false, "PUSH": true } }
            }
            """,
        [typeof(ProviderRequest)] = """
            {
              "name": "sendgrid-primary",
              "kind": "sendgrid",
              "priority": 10,
              "active": true,
              "settings": { "from": "no-reply@shop.example", "fromName": "Example Shop" },
              "credentials": { "apiKey": "SG.example-key.replace-with-yours" },
              "maxConcurrency": 20
            }
            """,
        [typeof(WebhookEndpointRequest)] = """
            {
              "url": "https://hooks.shop.example/notifly/status",
              "events": ["notification.delivered", "notification.failed", "notification.bounced"],
              "description": "Order service status feed",
              "headers": { "X-Env": "production" },
              "timeoutSeconds": 10
            }
            """,
        [typeof(CreateApiKeyRequest)] = """
            { "name": "checkout-service", "role": "SERVICE" }
            """,
    };
}
