namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// The backoff a policy gives (seed 000's "backoff calculation preview"): the wait before each
/// retry without jitter, and the most jitter can add. <see cref="Source"/> says where the policy
/// came from: eventType, tenantDefault, deployment or candidate (given in the query).
/// </summary>
public sealed record RetryPreview(
    string? EventType, string Source, RetryPolicySettings Policy, double JitterFraction, IReadOnlyList<RetryPreviewStep> Retries);

/// <summary>Attempt <see cref="Attempt"/> starts <see cref="DelayMs"/> (up to <see cref="MaxDelayWithJitterMs"/>) after the one before failed.</summary>
public sealed record RetryPreviewStep(int Attempt, long DelayMs, long MaxDelayWithJitterMs);
