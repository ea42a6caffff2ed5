namespace Notifly.Grains.Tenants;

/// <summary>Who is calling: the tenant and key behind an authenticated request.</summary>
public sealed record ApiPrincipal(Guid TenantId, Guid KeyId, string KeyPrefix, string Role)
{
    public const string AdminRole = "ADMIN";
    public const string ServiceRole = "SERVICE";

    public bool IsAdmin => Role == AdminRole;
}
