namespace Notifly.Grains.Storage;

/// <summary>Where a request came from, for the audit rows written on its behalf.</summary>
[GenerateSerializer, Immutable]
public sealed record ClientInfo([property: Id(0)] string? IpAddress, [property: Id(1)] string? UserAgent);
