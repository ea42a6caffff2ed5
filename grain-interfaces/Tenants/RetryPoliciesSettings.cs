namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// A tenant's retry policies: its default (on GET, the deployment's when the tenant set none) and
/// one per event type. A PUT replaces them whole; a null <see cref="Default"/> there returns the
/// tenant to the deployment's default.
/// </summary>
public sealed record RetryPoliciesSettings(RetryPolicySettings? Default, IReadOnlyDictionary<string, RetryPolicySettings>? EventTypes);
