// The NotificationGrain's pure state machine: every legal status transition driven through a
// command, illegal ones rejected, backoff, lease expiry and dead-lettering. No database here;
// the runtime that persists these turns is covered by the integration tests.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Notifications;

namespace Notifly.Tests.Notifications;

public class NotificationMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RetryPolicy Policy = RetryPolicy.Default with { JitterFraction = 0 };

    private static NotificationState New(params Channel[] channels) =>
        NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), channels, T0, sendAt: null);

    private static TurnResult Fire(NotificationState s, DateTimeOffset? at = null) =>
        NotificationMachine.Apply(s, new NotificationCommand.Fire(Lease), at ?? T0, Policy);

    private static TurnResult Result(NotificationState s, Channel c, AttemptOutcome o, DateTimeOffset? at = null) =>
        NotificationMachine.Apply(s, new NotificationCommand.RecordResult(c, s.Delivery(c)!.Attempts, o, TimeSpan.FromMilliseconds(12), 0), at ?? T0, Policy);

    private static NotificationState Processing(params Channel[] channels) => Fire(New(channels)).State;

    private static readonly AttemptOutcome Transient = AttemptOutcome.Transient("HTTP_503", "unavailable");
    private static readonly AttemptOutcome Permanent = AttemptOutcome.Permanent("HTTP_404", "not found");

    private static NotificationState Failed(Channel c = Channel.Webhook)
    {
        var s = Processing(c);
        return Result(s, c, Permanent).State;
    }

    [Fact]
    public void Accepted_to_processing_when_reminder_fires()
    {
        var turn = Fire(New(Channel.Webhook, Channel.Email));

        turn.State.Status.Should().Be(NotificationStatus.Processing);
        turn.Starts.Should().BeEquivalentTo([new AttemptStart(Channel.Webhook, 1), new AttemptStart(Channel.Email, 1)]);
        turn.State.Deliveries.Should().OnlyContain(d => d.DueAt == T0 + Lease, "the lease is the reminder");
        turn.Events.Select(e => e.Event).Should().Contain(["SEND_ATTEMPT", "STATUS_CHANGED"]);
        turn.State.Version.Should().Be(2);
    }

    [Fact]
    public void Scheduled_to_processing_only_once_send_time_is_reached()
    {
        var s = NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), [Channel.Email], T0, T0.AddMinutes(5));
        s.Status.Should().Be(NotificationStatus.Scheduled);

        Fire(s, T0.AddMinutes(4)).Changed.Should().BeFalse();
        Fire(s, T0.AddMinutes(5)).State.Status.Should().Be(NotificationStatus.Processing);
    }

    [Fact]
    public void Scheduled_to_cancelled()
    {
        var s = NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), [Channel.Email], T0, T0.AddMinutes(5));
        var turn = NotificationMachine.Apply(s, new NotificationCommand.Cancel(), T0, Policy);

        turn.State.Status.Should().Be(NotificationStatus.Cancelled);
        turn.State.NextDueAt.Should().BeNull("a cancelled notification has no reminder");
    }

    [Fact]
    public void Accepted_to_cancelled()
    {
        var turn = NotificationMachine.Apply(New(Channel.Email), new NotificationCommand.Cancel(), T0, Policy);
        turn.State.Status.Should().Be(NotificationStatus.Cancelled);
    }

    [Fact]
    public void Processing_to_sent_on_success()
    {
        var turn = Result(Processing(Channel.Webhook), Channel.Webhook, AttemptOutcome.Success("msg-1"));

        turn.State.Status.Should().Be(NotificationStatus.Sent);
        var d = turn.State.Delivery(Channel.Webhook)!;
        d.Status.Should().Be(DeliveryStatus.Sent);
        d.ProviderMessageId.Should().Be("msg-1");
        turn.Logs.Should().ContainSingle(l => l.Status == "SENT" && l.LatencyMs == 12);
        turn.State.NextDueAt.Should().BeNull();
    }

    [Fact]
    public void Processing_stays_processing_until_every_channel_is_done()
    {
        var turn = Result(Processing(Channel.Webhook, Channel.Email), Channel.Webhook, AttemptOutcome.Success());
        turn.State.Status.Should().Be(NotificationStatus.Processing);
        Result(turn.State, Channel.Email, AttemptOutcome.Success()).State.Status.Should().Be(NotificationStatus.Sent);
    }

    [Fact]
    public void Processing_to_retrying_on_transient_failure_with_seed_backoff()
    {
        var turn = Result(Processing(Channel.Webhook), Channel.Webhook, Transient);

        turn.State.Status.Should().Be(NotificationStatus.Retrying);
        turn.State.Delivery(Channel.Webhook)!.DueAt.Should().Be(T0 + TimeSpan.FromMilliseconds(1000));
        turn.Events.Select(e => e.Event).Should().Contain(["ATTEMPT_FAILED", "RETRY_SCHEDULED"]);
        turn.DeadLetters.Should().BeEmpty();
    }

    [Fact]
    public void Retrying_to_processing_when_backoff_elapses()
    {
        var retrying = Result(Processing(Channel.Webhook), Channel.Webhook, Transient).State;

        Fire(retrying, T0.AddMilliseconds(999)).Starts.Should().BeEmpty();
        var turn = Fire(retrying, T0.AddMilliseconds(1000));
        turn.State.Status.Should().Be(NotificationStatus.Processing);
        turn.Starts.Should().ContainSingle().Which.Attempt.Should().Be(2);
    }

    [Fact]
    public void Retrying_to_cancelled()
    {
        var retrying = Result(Processing(Channel.Webhook), Channel.Webhook, Transient).State;
        var turn = NotificationMachine.Apply(retrying, new NotificationCommand.Cancel(), T0, Policy);

        turn.State.Status.Should().Be(NotificationStatus.Cancelled);
        turn.State.NextDueAt.Should().BeNull();
    }

    [Fact]
    public void Processing_to_failed_without_retry_on_permanent_failure()
    {
        var turn = Result(Processing(Channel.Webhook), Channel.Webhook, Permanent);

        turn.State.Status.Should().Be(NotificationStatus.Failed);
        turn.DeadLetters.Should().ContainSingle().Which.Should().Be(new DeadLetter(Channel.Webhook, "HTTP_404", "not found", 1));
        turn.Events.Should().Contain(e => e.Event == "DEAD_LETTERED" && (string)e.Details["reason"]! == "PERMANENT_FAILURE");
    }

    [Fact]
    public void Exhausts_retries_after_max_attempts_with_growing_delays_then_dead_letters()
    {
        var s = New(Channel.Webhook);
        var now = T0;
        var delays = new List<TimeSpan>();
        TurnResult turn = null!;
        for (var attempt = 1; attempt <= Policy.MaxAttempts; attempt++)
        {
            s = Fire(s, now).State;
            turn = Result(s, Channel.Webhook, Transient, now);
            s = turn.State;
            if (s.Delivery(Channel.Webhook)!.DueAt is { } due)
            {
                delays.Add(due - now);
                now = due;
            }
        }

        delays.Select(d => d.TotalMilliseconds).Should().Equal(1000, 1500, 2250, 3375);
        s.Status.Should().Be(NotificationStatus.Failed);
        turn.DeadLetters.Should().ContainSingle().Which.Attempts.Should().Be(5);
        turn.Events.Should().Contain(e => e.Event == "DEAD_LETTERED" && (string)e.Details["reason"]! == "RETRY_EXHAUSTED");
    }

    [Fact]
    public void Failed_to_retrying_on_manual_retry_with_a_fresh_round()
    {
        var turn = NotificationMachine.Apply(Failed(), new NotificationCommand.RetryDeadLetter(Channel.Webhook), T0.AddHours(1), Policy);

        turn.State.Status.Should().Be(NotificationStatus.Retrying);
        var d = turn.State.Delivery(Channel.Webhook)!;
        d.DueAt.Should().Be(T0.AddHours(1));
        d.AttemptsInRound.Should().Be(0);

        var started = Fire(turn.State, T0.AddHours(1));
        started.Starts.Should().ContainSingle().Which.Attempt.Should().Be(2, "attempt numbers keep counting across rounds");
        Result(started.State, Channel.Webhook, AttemptOutcome.Success(), T0.AddHours(1)).State.Status.Should().Be(NotificationStatus.Sent);
    }

    [Fact]
    public void Honours_retry_after_when_longer_than_backoff()
    {
        var turn = Result(Processing(Channel.Webhook), Channel.Webhook,
            AttemptOutcome.Transient("HTTP_429", "slow down", TimeSpan.FromSeconds(7)));
        turn.State.Delivery(Channel.Webhook)!.DueAt.Should().Be(T0.AddSeconds(7));
    }

    [Fact]
    public void Expired_lease_counts_as_a_failed_attempt_and_starts_the_next()
    {
        var s = Processing(Channel.Webhook);

        Fire(s, T0 + Lease - TimeSpan.FromMilliseconds(1)).Changed.Should().BeFalse("the lease still holds");
        var turn = Fire(s, T0 + Lease);
        turn.Logs.Should().ContainSingle(l => l.Status == "ABANDONED" && l.Attempt == 1);
        turn.Starts.Should().ContainSingle().Which.Attempt.Should().Be(2);
        turn.State.Status.Should().Be(NotificationStatus.Processing);
    }

    [Fact]
    public void A_dead_silos_lease_comes_due_now_and_the_next_reminder_runs_the_attempt_again()
    {
        var s = Processing(Channel.Webhook);
        var at = T0.AddSeconds(3);

        var released = NotificationMachine.Apply(s, new NotificationCommand.ReleaseLease("silo-a"), at, Policy);

        released.Rejection.Should().BeNull();
        released.State.Delivery(Channel.Webhook)!.DueAt.Should().Be(at, "due now, not at the lease's expiry");
        released.State.Delivery(Channel.Webhook)!.Status.Should().Be(DeliveryStatus.Processing, "the attempt is accounted for by the next reminder");
        released.Events.Should().ContainSingle(e => e.Event == "LEASE_RELEASED");
        var again = Fire(released.State, at);
        again.Logs.Should().ContainSingle(l => l.ErrorCode == "LEASE_EXPIRED");
        again.Starts.Should().ContainSingle(a => a.Attempt == 2);
    }

    [Fact]
    public void Releasing_a_lease_twice_or_without_an_attempt_in_flight_changes_nothing()
    {
        var s = Processing(Channel.Webhook);
        var released = NotificationMachine.Apply(s, new NotificationCommand.ReleaseLease("silo-a"), T0.AddSeconds(1), Policy).State;

        NotificationMachine.Apply(released, new NotificationCommand.ReleaseLease("silo-a"), T0.AddSeconds(2), Policy)
            .Rejection.Should().Be("NOT_IN_FLIGHT");
        NotificationMachine.Apply(New(Channel.Webhook), new NotificationCommand.ReleaseLease("silo-a"), T0, Policy)
            .Rejection.Should().Be("NOT_IN_FLIGHT");
    }

    [Fact]
    public void Expired_lease_on_the_last_attempt_dead_letters()
    {
        var s = New(Channel.Webhook);
        var now = T0;
        for (var i = 0; i < Policy.MaxAttempts; i++)
        {
            s = Fire(s, now).State;
            now = s.Delivery(Channel.Webhook)!.DueAt!.Value; // let every lease expire
        }

        var turn = Fire(s, now);
        turn.State.Status.Should().Be(NotificationStatus.Failed);
        turn.DeadLetters.Should().ContainSingle().Which.ErrorCode.Should().Be("LEASE_EXPIRED");
    }

    [Fact]
    public void Rejects_a_late_result_from_an_attempt_whose_lease_expired()
    {
        var first = Processing(Channel.Webhook);
        var second = Fire(first, T0 + Lease).State; // attempt 2 now owns the delivery

        var late = NotificationMachine.Apply(second,
            new NotificationCommand.RecordResult(Channel.Webhook, 1, Transient, TimeSpan.Zero, 0), T0 + Lease, Policy);
        late.Rejection.Should().Be("STALE_ATTEMPT");
        late.State.Should().BeSameAs(second);
    }

    [Fact]
    public void Rejects_cancel_while_an_attempt_is_in_flight()
    {
        NotificationMachine.Apply(Processing(Channel.Webhook), new NotificationCommand.Cancel(), T0, Policy)
            .Rejection.Should().Be("IN_FLIGHT");
    }

    [Theory]
    [InlineData(NotificationStatus.Sent)]
    [InlineData(NotificationStatus.Failed)]
    [InlineData(NotificationStatus.Cancelled)]
    public void Rejects_cancel_of_a_finished_notification(NotificationStatus finished)
    {
        var s = finished switch
        {
            NotificationStatus.Sent => Result(Processing(Channel.Email), Channel.Email, AttemptOutcome.Success()).State,
            NotificationStatus.Failed => Failed(),
            _ => NotificationMachine.Apply(New(Channel.Email), new NotificationCommand.Cancel(), T0, Policy).State,
        };
        s.Status.Should().Be(finished);

        NotificationMachine.Apply(s, new NotificationCommand.Cancel(), T0, Policy).Rejection.Should().Be("NOT_CANCELLABLE");
    }

    [Fact]
    public void Rejects_manual_retry_of_a_channel_that_is_not_dead_lettered()
    {
        var sent = Result(Processing(Channel.Email), Channel.Email, AttemptOutcome.Success()).State;
        NotificationMachine.Apply(sent, new NotificationCommand.RetryDeadLetter(Channel.Email), T0, Policy)
            .Rejection.Should().Be("NOT_DEAD_LETTERED");
        NotificationMachine.Apply(sent, new NotificationCommand.RetryDeadLetter(Channel.Sms), T0, Policy)
            .Rejection.Should().Be("NOT_DEAD_LETTERED");
    }

    [Fact]
    public void Refuses_to_commit_a_state_whose_status_change_is_illegal()
    {
        // A corrupted row claiming SENT while a delivery is still pending: firing would move
        // SENT → PROCESSING, which the table forbids.
        var corrupt = New(Channel.Email) with { Status = NotificationStatus.Sent };
        var act = () => Fire(corrupt);
        act.Should().Throw<InvalidOperationException>().WithMessage("*illegal transition SENT*");
    }

    public static TheoryData<NotificationStatus, NotificationStatus> LegalMoves()
    {
        var data = new TheoryData<NotificationStatus, NotificationStatus>();
        foreach (var (from, to) in NotificationTransitions.All)
        {
            data.Add(from, to);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LegalMoves))]
    public void Table_allows_the_documented_moves(NotificationStatus from, NotificationStatus to) =>
        NotificationTransitions.IsLegal(from, to).Should().BeTrue();

    [Theory]
    [InlineData(NotificationStatus.Sent, NotificationStatus.Processing)]
    [InlineData(NotificationStatus.Sent, NotificationStatus.Cancelled)]
    [InlineData(NotificationStatus.Cancelled, NotificationStatus.Processing)]
    [InlineData(NotificationStatus.Failed, NotificationStatus.Sent)]
    [InlineData(NotificationStatus.Processing, NotificationStatus.Cancelled)]
    [InlineData(NotificationStatus.Accepted, NotificationStatus.Sent)]
    [InlineData(NotificationStatus.Delivered, NotificationStatus.Retrying)]
    [InlineData(NotificationStatus.Bounced, NotificationStatus.Failed)]
    [InlineData(NotificationStatus.Retrying, NotificationStatus.Sent)]
    public void Table_forbids_illegal_moves(NotificationStatus from, NotificationStatus to) =>
        NotificationTransitions.IsLegal(from, to).Should().BeFalse();

    [Fact]
    public void Backoff_adds_at_most_the_jitter_fraction()
    {
        var policy = RetryPolicy.Default;
        policy.DelayAfter(1, 0).Should().Be(TimeSpan.FromMilliseconds(1000));
        policy.DelayAfter(1, 0.999).TotalMilliseconds.Should().BeApproximately(1199.8, 0.5);
        policy.DelayAfter(20, 0).Should().Be(TimeSpan.FromSeconds(60), "capped at max delay");
    }
}
