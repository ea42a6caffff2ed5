namespace Notifly.Grains.Tenants;

/// <summary>What authentication needs to know about a key.</summary>
public sealed record ApiKeyRecord(Guid Id, Guid TenantId, string Role, byte[] Hash, bool Usable);
