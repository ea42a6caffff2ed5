namespace Notifly.Grains.StatusWebhooks;

/// <summary>An endpoint request that passed <see cref="EndpointRules"/>: what is stored.</summary>
public sealed record ValidEndpoint(Uri Url, string? Description, IReadOnlyList<string> Events, IReadOnlyDictionary<string, string> Headers, int TimeoutSeconds);
