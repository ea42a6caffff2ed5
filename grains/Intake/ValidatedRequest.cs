using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Templates;

namespace Notifly.Grains.Intake;

/// <summary>
/// A request that passed validation, normalised, with the hash idempotency compares. While
/// <see cref="Template"/> is set, <see cref="Subject"/> and <see cref="Body"/> are still to be
/// rendered (<see cref="TemplateIntake"/>); the hash covers the reference, not the rendering, so a
/// retry after a new version was activated replays instead of conflicting. <see cref="Fallback"/>
/// marks channels taken from the event type's fallback order, tried one after another;
/// <see cref="Unaddressed"/> are the channels of that order left out for want of an address.
/// <see cref="BodyIsHtml"/>: the body was rendered from an HTML template (email sends it as HTML).
/// <see cref="ExpiresAt"/>: nothing is sent after it; what is not sent by then ends EXPIRED.
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
    TemplateReference? Template = null,
    bool Fallback = false,
    IReadOnlyList<Channel>? Unaddressed = null,
    bool BodyIsHtml = false,
    DateTimeOffset? ExpiresAt = null);
