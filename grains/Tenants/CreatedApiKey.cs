namespace Notifly.Grains.Tenants;

/// <summary>The answer to creating a key: the only time the full key is ever shown.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Key, string Secret);
