using System.Text.Json;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Body of <c>POST /api/notifications</c> (seed 000, plus channels and recipient).</summary>
public sealed record SendNotificationRequest(
    string? EventType,
    JsonElement? Payload,
    IReadOnlyList<Channel>? Channels = null,
    Recipient? Recipient = null,
    string? UserId = null,
    string? Subject = null,
    string? Body = null,
    Priority? Priority = null,
    DateTimeOffset? SendAt = null,
    string? IdempotencyKey = null);
