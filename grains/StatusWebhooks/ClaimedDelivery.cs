namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// A delivery claimed for one attempt, with what its endpoint needs to be called. The secrets are
/// still sealed; they are opened only to sign. <see cref="Attempt"/> counts every attempt so far,
/// this one included, and fences the result: only the claim that made this attempt may record it.
/// </summary>
internal sealed record ClaimedDelivery(
    Guid Id,
    Guid TenantId,
    Guid EndpointId,
    string EventType,
    string Payload,
    int Attempt,
    int RoundStart,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    int TimeoutSeconds,
    byte[] Secret,
    byte[]? PreviousSecret,
    DateTimeOffset? PreviousSecretExpiresAt)
{
    /// <summary>Attempts since the delivery was created or last redelivered by hand, this one included.</summary>
    public int AttemptInRound => Attempt - RoundStart;
}
