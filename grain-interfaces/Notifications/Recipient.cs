namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Where each channel delivers. Only the fields of the requested channels are needed.</summary>
public sealed record Recipient(
    string? Email = null,
    string? Phone = null,
    string? PushToken = null,
    string? WebhookUrl = null);
