// A notification's expiresAt in the pure state machine: what is not sent by then ends EXPIRED
// (never sent late, never dead-lettered), from any waiting state; a retry that would come too
// late expires it at once; an attempt in flight finishes; a sent channel stays SENT.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Notifications;

namespace Notifly.Tests.Notifications;

public class ExpiryMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RetryPolicy Policy = RetryPolicy.Default with { JitterFraction = 0 };
    private static readonly AttemptOutcome Transient = AttemptOutcome.Transient("HTTP_503", "unavailable");
    private static readonly AttemptOutcome Permanent = AttemptOutcome.Permanent("HTTP_404", "not found");

    private static NotificationState New(TimeSpan expiresIn, DateTimeOffset? sendAt = null, params Channel[] channels) =>
        NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), channels.Length == 0 ? [Channel.Webhook] : channels, T0, sendAt,
            expiresAt: T0 + expiresIn);

    private static TurnResult Fire(NotificationState s, DateTimeOffset at) =>
        NotificationMachine.Apply(s, new NotificationCommand.Fire(Lease), at, Policy);

    private static TurnResult Result(NotificationState s, Channel c, AttemptOutcome o, DateTimeOffset at) =>
        NotificationMachine.Apply(s, new NotificationCommand.RecordResult(c, s.Delivery(c)!.Attempts, o, TimeSpan.FromMilliseconds(12), 0), at, Policy);

    [Fact]
    public void Fired_after_its_expiry_it_expires_instead_of_sending()
    {
        var turn = Fire(New(TimeSpan.FromMinutes(5)), T0 + TimeSpan.FromMinutes(6)); // a dispatcher back after an outage

        turn.State.Status.Should().Be(NotificationStatus.Expired);
        turn.Starts.Should().BeEmpty("nothing goes out late");
        turn.DeadLetters.Should().BeEmpty("it did not fail: its time ran out");
        turn.State.Deliveries.Should().OnlyContain(d => d.Status == DeliveryStatus.Expired && d.DueAt == null);
        turn.State.NextDueAt.Should().BeNull();
        turn.Events.Select(e => e.Event).Should().Contain(["EXPIRED", "STATUS_CHANGED"]);
    }

    [Fact]
    public void Fired_before_its_expiry_it_sends()
    {
        var turn = Fire(New(TimeSpan.FromMinutes(5)), T0 + TimeSpan.FromMinutes(4));

        turn.State.Status.Should().Be(NotificationStatus.Processing);
        turn.Starts.Should().ContainSingle();
    }

    [Fact]
    public void A_scheduled_one_expires_when_its_send_time_comes_too_late()
    {
        var scheduled = New(TimeSpan.FromHours(2), sendAt: T0 + TimeSpan.FromHours(1));
        scheduled.Status.Should().Be(NotificationStatus.Scheduled);

        Fire(scheduled, T0 + TimeSpan.FromHours(3)).State.Status.Should().Be(NotificationStatus.Expired);
    }

    [Fact]
    public void A_retry_that_would_come_after_the_expiry_expires_it_at_once()
    {
        var processing = Fire(New(TimeSpan.FromMilliseconds(1500)), T0).State;

        // The first backoff (1 s by default) ends before the expiry: it retries.
        var retrying = Result(processing, Channel.Webhook, Transient, T0 + TimeSpan.FromMilliseconds(100));
        retrying.State.Status.Should().Be(NotificationStatus.Retrying);

        // The second attempt fails again: its backoff would end past the expiry.
        var second = Fire(retrying.State, T0 + TimeSpan.FromMilliseconds(1100)).State;
        var expired = Result(second, Channel.Webhook, Transient, T0 + TimeSpan.FromMilliseconds(1200));
        expired.State.Status.Should().Be(NotificationStatus.Expired);
        expired.State.Delivery(Channel.Webhook)!.LastErrorCode.Should().Be("HTTP_503", "the last error is kept");
        expired.DeadLetters.Should().BeEmpty();
        expired.Logs.Should().ContainSingle().Which.ErrorCode.Should().Be("HTTP_503", "the attempt itself is logged as usual");
    }

    [Fact]
    public void An_attempt_in_flight_at_the_expiry_finishes_and_counts()
    {
        var processing = Fire(New(TimeSpan.FromSeconds(10)), T0 + TimeSpan.FromSeconds(9)).State;

        // The lease still runs: a reminder now leaves the attempt alone.
        Fire(processing, T0 + TimeSpan.FromSeconds(11)).Events.Should().BeEmpty();
        var sent = Result(processing, Channel.Webhook, AttemptOutcome.Success("msg-1"), T0 + TimeSpan.FromSeconds(12));
        sent.State.Status.Should().Be(NotificationStatus.Sent);
    }

    [Fact]
    public void An_attempt_whose_lease_ran_out_past_the_expiry_is_abandoned_and_expired()
    {
        var processing = Fire(New(TimeSpan.FromSeconds(10)), T0 + TimeSpan.FromSeconds(9)).State;

        var turn = Fire(processing, T0 + TimeSpan.FromSeconds(9) + Lease + TimeSpan.FromSeconds(1));

        turn.State.Status.Should().Be(NotificationStatus.Expired);
        turn.Logs.Should().ContainSingle().Which.Status.Should().Be("ABANDONED");
        turn.Starts.Should().BeEmpty();
    }

    [Fact]
    public void A_fallback_that_would_start_after_the_expiry_expires_the_chain()
    {
        var chain = FallbackChain.Hold(New(TimeSpan.FromSeconds(10), null, Channel.Push, Channel.Email));
        var processing = Fire(chain, T0).State;

        var turn = Result(processing, Channel.Push, Permanent, T0 + TimeSpan.FromSeconds(11));

        turn.State.Status.Should().Be(NotificationStatus.Expired);
        turn.State.Delivery(Channel.Email)!.Status.Should().Be(DeliveryStatus.Expired);
        turn.DeadLetters.Should().BeEmpty();
    }

    [Fact]
    public void A_channel_sent_in_time_keeps_the_notification_sent_while_another_expires()
    {
        var processing = Fire(New(TimeSpan.FromSeconds(5), null, Channel.Webhook, Channel.Email), T0).State;
        var oneSent = Result(processing, Channel.Email, AttemptOutcome.Success("m"), T0 + TimeSpan.FromSeconds(1)).State;

        var turn = Result(oneSent, Channel.Webhook, Transient, T0 + TimeSpan.FromSeconds(6));

        turn.State.Delivery(Channel.Webhook)!.Status.Should().Be(DeliveryStatus.Expired);
        turn.State.Status.Should().Be(NotificationStatus.Sent);
    }

    [Fact]
    public void An_expired_notification_cannot_be_cancelled()
    {
        var expired = Fire(New(TimeSpan.FromMinutes(1)), T0 + TimeSpan.FromMinutes(2)).State;

        NotificationMachine.Apply(expired, new NotificationCommand.Cancel(), T0 + TimeSpan.FromMinutes(3), Policy)
            .Rejection.Should().Be("NOT_CANCELLABLE");
    }
}
