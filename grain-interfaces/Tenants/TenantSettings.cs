namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// The body of <c>GET/PUT /api/admin/settings</c>. A PUT replaces each section it names whole and
/// leaves the sections it omits as they are. <see cref="ChannelFallback"/> maps an event type
/// (or <c>*</c> for the rest) to the channels tried in turn, e.g. <c>["EMAIL","SMS","PUSH"]</c>.
/// <see cref="DisabledChannels"/> are channels the tenant has turned off: requests naming one are
/// refused with <c>CHANNEL_DISABLED</c>, and fallback orders pass over them.
/// </summary>
public sealed record TenantSettings(
    RateLimitSettings? RateLimits,
    RetryPoliciesSettings? RetryPolicies = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? ChannelFallback = null,
    IReadOnlyList<string>? DisabledChannels = null);
