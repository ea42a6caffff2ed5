using Notifly.Grains.Tenants;

namespace Notifly.Grains.Intake;

public sealed record IntakeItem(ApiPrincipal Principal, ValidatedRequest Request);
