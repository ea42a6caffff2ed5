using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Intake;

/// <summary>A request that passed validation, normalised, with the hash idempotency compares.</summary>
public sealed record ValidatedRequest(
    string EventType,
    string PayloadJson,
    IReadOnlyList<Channel> Channels,
    Recipient Recipient,
    string? UserId,
    string? Subject,
    string? Body,
    Priority Priority,
    DateTimeOffset? SendAt,
    string? IdempotencyKey,
    byte[] PayloadHash);
