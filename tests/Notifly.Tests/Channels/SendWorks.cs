using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Tests.Channels;

/// <summary>Builds a <see cref="SendWork"/> with fresh ids, so tests sharing a server never see each other's messages.</summary>
internal static class SendWorks
{
    public const string Payload = """{"order":{"id":42,"items":["book","pen"]},"note":"ring twice"}""";

    public static SendWork Create(
        Channel channel,
        Recipient recipient,
        string? webhookSecret = null,
        Guid? notificationId = null,
        int attempt = 1,
        string payloadJson = Payload,
        string? subject = null,
        string? body = null) =>
        new(
            NotificationId: notificationId ?? Guid.NewGuid(),
            TenantId: Guid.NewGuid(),
            CorrelationId: Guid.NewGuid(),
            Channel: channel,
            Attempt: attempt,
            EventType: "order.shipped",
            PayloadJson: payloadJson,
            Recipient: recipient,
            UserId: "user-7",
            Subject: subject,
            Body: body,
            CreatedAt: DateTimeOffset.UtcNow,
            WebhookSecret: webhookSecret ?? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
}
