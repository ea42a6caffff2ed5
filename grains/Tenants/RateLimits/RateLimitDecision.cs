namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>
/// The answer to "may these requests in?": how many of them may (the first <see cref="Admitted"/>),
/// and for the rest, when to try again and which limit refused them.
/// </summary>
public sealed record RateLimitDecision(int Admitted, TimeSpan RetryAfter, int Limit, TimeSpan Window)
{
    public static RateLimitDecision All(int count) => new(count, TimeSpan.Zero, 0, TimeSpan.Zero);
}
