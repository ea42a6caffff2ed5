namespace Notifly.Grains.Channels;

/// <summary>What one provider call came to. <see cref="RetryAfter"/> carries the provider's own hint.</summary>
public sealed record AttemptOutcome(
    OutcomeKind Kind,
    string? ErrorCode = null,
    string? ErrorMessage = null,
    TimeSpan? RetryAfter = null,
    string? ProviderMessageId = null,
    int? ProviderStatus = null)
{
    public static AttemptOutcome Success(string? providerMessageId = null, int? providerStatus = null) =>
        new(OutcomeKind.Success, ProviderMessageId: providerMessageId, ProviderStatus: providerStatus);

    public static AttemptOutcome Transient(string code, string message, TimeSpan? retryAfter = null, int? providerStatus = null) =>
        new(OutcomeKind.Transient, code, message, retryAfter, ProviderStatus: providerStatus);

    public static AttemptOutcome Permanent(string code, string message, int? providerStatus = null) =>
        new(OutcomeKind.Permanent, code, message, ProviderStatus: providerStatus);
}
