using Notifly.Grains.Observability;
using Notifly.Grains.Tenants;

namespace Notifly.Grains.Intake;

/// <summary>
/// One request to store for a tenant. <paramref name="ApiKeyId"/> is the key a REST caller used:
/// the insert re-checks it is still active. Kafka requests carry no key (the broker's ACLs decide
/// who may produce); for them only the tenant must exist and be active. <paramref name="RateLimited"/>
/// marks a Kafka request whose sendAt was moved to when its tenant has tokens again: the intake
/// records a RATE_LIMITED event for it. <paramref name="TraceParent"/> is the W3C trace context the
/// notification's later spans (attempts, status events) continue: the REST request's or the Kafka
/// message's.
/// </summary>
public sealed record IntakeItem(Guid TenantId, Guid? ApiKeyId, ValidatedRequest Request, bool RateLimited = false, string? TraceParent = null)
{
    public static IntakeItem FromApi(ApiPrincipal principal, ValidatedRequest request) =>
        new(principal.TenantId, principal.KeyId, request, TraceParent: NotiflyTracing.CurrentTraceParent());
}
