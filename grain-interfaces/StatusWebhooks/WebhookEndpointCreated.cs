namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>A new endpoint and its <c>whsec_…</c> signing secret, which is shown this once.</summary>
public sealed record WebhookEndpointCreated(WebhookEndpointView Endpoint, string Secret);
