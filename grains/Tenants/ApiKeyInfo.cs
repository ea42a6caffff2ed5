namespace Notifly.Grains.Tenants;

/// <summary>An API key as listed: never its secret or hash. <c>LastUsedAt</c> is accurate to about a minute.</summary>
public sealed record ApiKeyInfo(
    Guid Id, string Name, string Prefix, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);
