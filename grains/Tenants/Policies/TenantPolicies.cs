using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Notifications;

namespace Notifly.Grains.Tenants.Policies;

/// <summary>
/// A tenant's retry policies and fallback orders by event type, as the hot path reads them.
/// Resolution: the event type's row, else the tenant's default (event type <c>*</c>), else null
/// (the deployment's <c>Notifly:Retry</c>, or the request's own channels).
/// </summary>
/// <param name="Suspended">An operator suspended the tenant: intake refuses its requests.</param>
public sealed record TenantPolicies(
    IReadOnlyDictionary<string, RetryPolicy> Retry, IReadOnlyDictionary<string, Channel[]> Fallback, IReadOnlySet<Channel> Disabled,
    bool Suspended = false)
{
    public const string Default = "*";

    public static TenantPolicies None { get; } =
        new(new Dictionary<string, RetryPolicy>(), new Dictionary<string, Channel[]>(), new HashSet<Channel>());

    /// <summary>The deployment's enabled channels less the ones this tenant turned off.</summary>
    public ISet<Channel> Enabled(ISet<Channel> deployment) =>
        Disabled.Count == 0 ? deployment : deployment.Where(c => !Disabled.Contains(c)).ToHashSet();

    public RetryPolicy? RetryFor(string eventType) =>
        Retry.TryGetValue(eventType, out var p) || Retry.TryGetValue(Default, out p) ? p : null;

    public Channel[]? FallbackFor(string eventType) =>
        Fallback.TryGetValue(eventType, out var c) || Fallback.TryGetValue(Default, out c) ? c : null;
}
