namespace Notifly.GrainInterfaces.Channels;

/// <summary>A provider that failed (or was skipped with its circuit open) before the next one was tried.</summary>
[GenerateSerializer, Immutable]
public sealed record ChannelSendFailover(
    [property: Id(0)] string Provider,
    [property: Id(1)] string ErrorCode,
    [property: Id(2)] string? NextProvider);
