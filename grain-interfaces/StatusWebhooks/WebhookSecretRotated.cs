namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>
/// The endpoint's new signing secret, shown this once. Until <see cref="PreviousSecretExpiresAt"/>
/// every call carries a signature with the old secret too.
/// </summary>
public sealed record WebhookSecretRotated(string Secret, DateTimeOffset PreviousSecretExpiresAt);
