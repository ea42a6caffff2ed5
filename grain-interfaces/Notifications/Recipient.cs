namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Where each channel delivers. Only the fields of the requested channels are needed.</summary>
[GenerateSerializer, Immutable]
public sealed record Recipient(
    [property: Id(0)] string? Email = null,
    [property: Id(1)] string? Phone = null,
    [property: Id(2)] string? PushToken = null,
    [property: Id(3)] string? WebhookUrl = null);
