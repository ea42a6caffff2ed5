namespace Notifly.Grains.Channels;

/// <summary>
/// What one provider call came to. <see cref="RetryAfter"/> carries the provider's own hint;
/// <see cref="Provider"/> names the provider that answered, and <see cref="Failovers"/> the ones
/// tried before it in the same attempt (docs/0015).
/// </summary>
public sealed record AttemptOutcome(
    OutcomeKind Kind,
    string? ErrorCode = null,
    string? ErrorMessage = null,
    TimeSpan? RetryAfter = null,
    string? ProviderMessageId = null,
    int? ProviderStatus = null,
    string? Provider = null,
    IReadOnlyList<ProviderFailover>? Failovers = null)
{
    /// <summary>The provider's credentials or account were refused: the provider's fault, not the recipient's.</summary>
    public const string AuthFailed = "PROVIDER_AUTH_FAILED";

    /// <summary>
    /// A failure another provider of the channel might not have: transient ones and refused
    /// credentials. An invalid recipient fails everywhere, so it is not one.
    /// </summary>
    public bool IsProviderFault => Kind == OutcomeKind.Transient || (Kind == OutcomeKind.Permanent && ErrorCode == AuthFailed);

    public static AttemptOutcome Success(string? providerMessageId = null, int? providerStatus = null) =>
        new(OutcomeKind.Success, ProviderMessageId: providerMessageId, ProviderStatus: providerStatus);

    public static AttemptOutcome Transient(string code, string message, TimeSpan? retryAfter = null, int? providerStatus = null) =>
        new(OutcomeKind.Transient, code, message, retryAfter, ProviderStatus: providerStatus);

    public static AttemptOutcome Permanent(string code, string message, int? providerStatus = null) =>
        new(OutcomeKind.Permanent, code, message, ProviderStatus: providerStatus);
}

/// <summary>A provider that failed (or was skipped with its circuit open) before the next one was tried.</summary>
public sealed record ProviderFailover(string Provider, string ErrorCode, string? NextProvider);
