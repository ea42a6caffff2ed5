// The retry decision alone (RetrySchedule): which outcomes are retried, the attempt after which a
// delivery fails, the jitter's bounds, and how a receiver's Retry-After moves a retry — later
// only, and never past MaxRetryAfter. The schedule end to end is in StatusWebhookScheduleTests.
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels;
using Notifly.Grains.StatusWebhooks;

namespace Notifly.Tests.StatusWebhooks;

public class RetryScheduleTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly StatusWebhookOptions Defaults = new();

    private static CallResult Transient(TimeSpan? retryAfter = null) => new(OutcomeKind.Transient, 503, null, "HTTP 503", retryAfter);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 15)]
    public void Retries_a_transient_failure_after_1_5_and_15_minutes(int attempt, int minutes)
    {
        var (status, next) = RetrySchedule.Next(Transient(), attempt, Now, Defaults, random: 0.5);

        status.Should().Be(WebhookDeliveryStatus.Retrying);
        next.Should().Be(Now.AddMinutes(minutes));
    }

    [Fact]
    public void Jitter_moves_a_retry_at_most_a_tenth_either_way()
    {
        RetrySchedule.Next(Transient(), 2, Now, Defaults, random: 0).NextAttemptAt.Should().Be(Now.AddMinutes(4.5));
        RetrySchedule.Next(Transient(), 2, Now, Defaults, random: 0.999_999).NextAttemptAt.Should().BeCloseTo(Now.AddMinutes(5.5), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void The_fourth_failed_attempt_fails_the_delivery()
    {
        RetrySchedule.Next(Transient(), 4, Now, Defaults, 0.5).Should().Be((WebhookDeliveryStatus.Failed, (DateTimeOffset?)null));
    }

    [Fact]
    public void Success_and_permanent_failures_are_final_at_once()
    {
        RetrySchedule.Next(new CallResult(OutcomeKind.Success, 204, null, null), 1, Now, Defaults, 0.5)
            .Should().Be((WebhookDeliveryStatus.Succeeded, (DateTimeOffset?)null));
        RetrySchedule.Next(new CallResult(OutcomeKind.Permanent, 400, null, "HTTP 400"), 1, Now, Defaults, 0.5)
            .Should().Be((WebhookDeliveryStatus.Failed, (DateTimeOffset?)null));
    }

    [Fact]
    public void A_longer_retry_after_is_honoured_up_to_the_cap_and_a_shorter_one_ignored()
    {
        RetrySchedule.Next(Transient(TimeSpan.FromMinutes(10)), 1, Now, Defaults, 0.5).NextAttemptAt.Should().Be(Now.AddMinutes(10));
        RetrySchedule.Next(Transient(TimeSpan.FromDays(7)), 1, Now, Defaults, 0.5).NextAttemptAt.Should().Be(Now.Add(Defaults.MaxRetryAfter));
        RetrySchedule.Next(Transient(TimeSpan.FromSeconds(5)), 1, Now, Defaults, 0.5).NextAttemptAt.Should().Be(Now.AddMinutes(1));
    }

    [Fact]
    public void Configured_delays_set_the_schedule_and_the_number_of_attempts()
    {
        var options = new StatusWebhookOptions { RetryDelays = [TimeSpan.FromSeconds(30)], JitterFraction = 0 };

        RetrySchedule.Next(Transient(), 1, Now, options, 0.9).NextAttemptAt.Should().Be(Now.AddSeconds(30));
        RetrySchedule.Next(Transient(), 2, Now, options, 0.9).Status.Should().Be(WebhookDeliveryStatus.Failed);
    }
}
