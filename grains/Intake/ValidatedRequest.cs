using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Templates;

namespace Notifly.Grains.Intake;

/// <summary>
/// A request that passed validation, normalised, with the hash idempotency compares. While
/// <see cref="Template"/> is set, <see cref="Subject"/> and <see cref="Body"/> are still to be
/// rendered (<see cref="TemplateIntake"/>); the hash covers the reference, not the rendering, so a
/// retry after a new version was activated replays instead of conflicting.
/// </summary>
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
    byte[] PayloadHash,
    TemplateReference? Template = null);
