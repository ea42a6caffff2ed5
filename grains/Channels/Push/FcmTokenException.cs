namespace Notifly.Grains.Channels.Push;

/// <summary>The OAuth2 token endpoint refused the service account, or answered nonsense.</summary>
public sealed class FcmTokenException(int status, TimeSpan? retryAfter, string detail)
    : Exception($"OAuth2 token endpoint answered HTTP {status}: {detail}")
{
    public int Status { get; } = status;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>429 and 5xx will pass; anything else (invalid_grant, a revoked key) needs the operator.</summary>
    public bool IsTransient => Status is 408 or 429 or >= 500;
}
