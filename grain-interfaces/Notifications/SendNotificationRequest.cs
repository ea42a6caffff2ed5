using System.Text.Json;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>
/// Body of <c>POST /api/notifications</c> (seed 000, plus channels and recipient). With
/// <see cref="Template"/>, subject and body come from the tenant's template, rendered at intake
/// with <see cref="Payload"/> as its variables.
/// </summary>
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
    string? IdempotencyKey = null,
    string? Template = null,
    int? TemplateVersion = null,
    string? Locale = null,
    DateTimeOffset? ExpiresAt = null);
