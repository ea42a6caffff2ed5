namespace Notifly.Grains.Intake;

/// <summary>Bounds on what a single notification may carry.</summary>
public static class IntakeLimits
{
    public const int MaxEventTypeLength = 100;
    public const int MaxIdempotencyKeyLength = 255;
    public const int MaxUserIdLength = 255;
    public const int MaxSubjectLength = 998; // RFC 5322 line limit
    public const int MaxPayloadBytes = 64 * 1024;
    public const int MaxBodyLength = 64 * 1024;
    public const int MaxBatchSize = 1000;
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(366);

    /// <summary>
    /// How far in the past a sendAt may lie: a little is clock skew or a retry, and means "now";
    /// more is a mistake (a zero date, 1900-01-01) better refused than sent at once.
    /// </summary>
    public static readonly TimeSpan MaxScheduleBehind = TimeSpan.FromDays(1);

    /// <summary>How far past the latest sendAt an expiresAt may lie: 396 days from now in all.</summary>
    public static readonly TimeSpan MaxExpiryAfterSend = TimeSpan.FromDays(30);
}
