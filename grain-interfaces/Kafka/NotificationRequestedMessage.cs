using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Kafka;

/// <summary>
/// A message on <c>notification.requested</c>: seed 002's contract (<c>notificationId</c>,
/// <c>organizationId</c>, <c>eventType</c>, <c>channel</c>, <c>recipient</c>, <c>payload</c>,
/// <c>createdAt</c>) plus the optional fields of the REST request. <see cref="Recipient"/> is
/// either a string, read per channel as seed 002 does (EMAIL → email, SMS → phone, PUSH → push
/// token, WEBHOOK → webhook URL), or an object shaped like REST's recipient.
/// </summary>
public sealed record NotificationRequestedMessage(
    string? NotificationId,
    string? OrganizationId,
    string? EventType,
    Channel? Channel,
    IReadOnlyList<Channel>? Channels,
    JsonElement? Recipient,
    JsonElement? Payload,
    DateTimeOffset? CreatedAt,
    string? UserId = null,
    string? Subject = null,
    string? Body = null,
    Priority? Priority = null,
    DateTimeOffset? SendAt = null,
    string? Template = null,
    int? TemplateVersion = null,
    string? Locale = null,
    DateTimeOffset? ExpiresAt = null);
