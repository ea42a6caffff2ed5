namespace Notifly.Api.Admin;

/// <summary>The Standard Webhooks secret that signs this tenant's webhook deliveries.</summary>
public sealed record WebhookSecretResponse(string Secret);
