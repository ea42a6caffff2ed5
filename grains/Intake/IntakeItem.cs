using Notifly.Grains.Tenants;

namespace Notifly.Grains.Intake;

/// <summary>
/// One request to store for a tenant. <paramref name="ApiKeyId"/> is the key a REST caller used:
/// the insert re-checks it is still active. Kafka requests carry no key (the broker's ACLs decide
/// who may produce); for them only the tenant must exist and be active.
/// </summary>
public sealed record IntakeItem(Guid TenantId, Guid? ApiKeyId, ValidatedRequest Request)
{
    public static IntakeItem FromApi(ApiPrincipal principal, ValidatedRequest request) => new(principal.TenantId, principal.KeyId, request);
}
