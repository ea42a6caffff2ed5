using Notifly.Grains.Security;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// The sealed signing-secret columns of <c>webhook_endpoints</c>. Both bind a value to its
/// endpoint with one purpose, so rotation moves the current secret into <c>previous_secret</c>
/// without opening it; <see cref="SecretRewrapService"/> re-seals both under a new key.
/// </summary>
public static class StatusWebhookSecrets
{
    public static SealedSecretColumn Current { get; } = new("webhook_endpoints", "secret", "webhook-endpoint");

    public static SealedSecretColumn Previous { get; } = new("webhook_endpoints", "previous_secret", "webhook-endpoint");
}
