namespace Notifly.GrainInterfaces.Channels;

/// <summary>
/// What one attempt came to: the provider that answered, its message id or error, its retry hint,
/// and the providers tried before it in the same attempt (docs/0015).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ChannelSendResult(
    [property: Id(0)] ChannelSendOutcome Outcome,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? ErrorMessage,
    [property: Id(3)] TimeSpan? RetryAfter,
    [property: Id(4)] string? ProviderMessageId,
    [property: Id(5)] int? ProviderStatus,
    [property: Id(6)] string? Provider,
    [property: Id(7)] IReadOnlyList<ChannelSendFailover>? Failovers);
