namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>
/// Body of <c>POST /api/webhooks</c> and <c>PUT /api/webhooks/{id}</c> (which replaces every
/// field). <see cref="Headers"/> are sent with every call; <see cref="TimeoutSeconds"/> (1–30)
/// defaults to the deployment's <c>Notifly:StatusWebhooks:DefaultTimeoutSeconds</c>.
/// </summary>
public sealed record WebhookEndpointRequest(
    string? Url,
    IReadOnlyList<string>? Events,
    string? Description = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    int? TimeoutSeconds = null);
