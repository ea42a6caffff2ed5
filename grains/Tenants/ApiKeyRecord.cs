namespace Notifly.Grains.Tenants;

/// <summary>What authentication needs to know about a key.</summary>
/// <param name="Revoked">The key was revoked: it is refused as unknown.</param>
/// <param name="Suspended">The key's tenant is suspended: it is refused as such (403), once the secret matched.</param>
public sealed record ApiKeyRecord(Guid Id, Guid TenantId, string Role, byte[] Hash, bool Revoked, bool Suspended);
