namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// The body of <c>GET/PUT /api/admin/settings</c>. A PUT replaces each section it names whole and
/// leaves the sections it omits as they are. <see cref="ChannelFallback"/> maps an event type
/// (or <c>*</c> for the rest) to the channels tried in turn, e.g. <c>["EMAIL","SMS","PUSH"]</c>.
/// <see cref="DisabledChannels"/> are channels the tenant has turned off: requests naming one are
/// refused with <c>CHANNEL_DISABLED</c>, and fallback orders pass over them. <see cref="Retention"/>
/// shortens how long the tenant's notifications are kept (docs/0035).
/// </summary>
public sealed record TenantSettings(
    RateLimitSettings? RateLimits,
    RetryPoliciesSettings? RetryPolicies = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? ChannelFallback = null,
    IReadOnlyList<string>? DisabledChannels = null,
    RetentionSettings? Retention = null);

/// <summary>
/// How many days the tenant's notifications are kept, with their events, attempt logs and
/// deliveries: fewer than the deployment's retention to delete them sooner (a longer one is
/// capped by it). Null: the deployment's. A notification that is not final is kept regardless.
/// </summary>
public sealed record RetentionSettings(int? Days);
