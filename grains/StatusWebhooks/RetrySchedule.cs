using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// Seed 004's retry strategy for status webhooks: an immediate attempt, then one retry after each
/// of <see cref="StatusWebhookOptions.Delays"/> (1, 5, 15 minutes), each moved by up to
/// ±<see cref="StatusWebhookOptions.JitterFraction"/>; only transient failures are retried. A
/// Retry-After later than the schedule wins, up to <see cref="StatusWebhookOptions.MaxRetryAfter"/>.
/// </summary>
internal static class RetrySchedule
{
    /// <param name="attemptInRound">Attempts made in this round, the one that just finished included.</param>
    /// <param name="random">Uniform in [0, 1), for the jitter.</param>
    public static (WebhookDeliveryStatus Status, DateTimeOffset? NextAttemptAt) Next(
        CallResult result, int attemptInRound, DateTimeOffset now, StatusWebhookOptions options, double random)
    {
        if (result.Kind == OutcomeKind.Success)
        {
            return (WebhookDeliveryStatus.Succeeded, null);
        }

        var delays = options.Delays;
        if (result.Kind == OutcomeKind.Permanent || attemptInRound > delays.Count)
        {
            return (WebhookDeliveryStatus.Failed, null);
        }

        var scheduled = delays[attemptInRound - 1] * (1 + options.JitterFraction * (2 * random - 1));
        var delay = result.RetryAfter is { } asked && asked > scheduled
            ? (asked < options.MaxRetryAfter ? asked : (options.MaxRetryAfter > scheduled ? options.MaxRetryAfter : scheduled))
            : scheduled;
        return (WebhookDeliveryStatus.Retrying, now + delay);
    }
}
