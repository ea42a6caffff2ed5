// The state machine's fallback chains and per-notification retry policy (docs/0008): STANDBY
// channels, hand-over when a channel fails for good, the last failure dead-lettering, cancel and
// manual DLQ retry with standby channels. Pure; the e2e fallback is in EndToEnd/FallbackTests.cs.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Notifications;

namespace Notifly.Tests.Notifications;

public class FallbackChainMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RetryPolicy Deployment = RetryPolicy.Default with { JitterFraction = 0 };
    private static readonly AttemptOutcome Transient = AttemptOutcome.Transient("SMTP_451", "try later");
    private static readonly AttemptOutcome Permanent = AttemptOutcome.Permanent("SMTP_550", "no such mailbox");

    private static NotificationState Chain(params Channel[] channels) =>
        FallbackChain.Hold(NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), channels, T0, sendAt: null));

    private static TurnResult Fire(NotificationState s, DateTimeOffset? at = null) =>
        NotificationMachine.Apply(s, new NotificationCommand.Fire(Lease), at ?? T0, Deployment);

    private static TurnResult Result(NotificationState s, Channel c, AttemptOutcome o, DateTimeOffset? at = null) =>
        NotificationMachine.Apply(s, new NotificationCommand.RecordResult(c, s.Delivery(c)!.Attempts, o, TimeSpan.FromMilliseconds(5), 0), at ?? T0, Deployment);

    /// <summary>Fires and fails <paramref name="c"/> permanently: the chain hands over.</summary>
    private static NotificationState FailFirst(NotificationState s, Channel c) => Result(Fire(s).State, c, Permanent).State;

    [Fact]
    public void Later_channels_wait_in_standby_with_no_reminder()
    {
        var s = Chain(Channel.Email, Channel.Sms, Channel.Push);

        s.Deliveries.Select(d => d.Status).Should().Equal(DeliveryStatus.Pending, DeliveryStatus.Standby, DeliveryStatus.Standby);
        s.Status.Should().Be(NotificationStatus.Accepted);
        s.NextDueAt.Should().Be(T0);

        var turn = Fire(s);
        turn.Starts.Should().Equal(new AttemptStart(Channel.Email, 1));
        turn.State.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Standby);
        turn.State.NextDueAt.Should().Be(T0 + Lease, "standby channels are not due");
    }

    [Fact]
    public void Standby_to_processing_after_the_first_channel_fails_for_good()
    {
        var turn = Result(Fire(Chain(Channel.Email, Channel.Sms)).State, Channel.Email, Permanent);

        turn.DeadLetters.Should().BeEmpty("a channel that hands over is not a lost notification");
        turn.State.Delivery(Channel.Email)!.Should().Match<DeliveryState>(d => d.Status == DeliveryStatus.Failed && d.Superseded);
        turn.State.Delivery(Channel.Sms)!.Should().Match<DeliveryState>(d => d.Status == DeliveryStatus.Pending && d.DueAt == T0);
        turn.State.Status.Should().Be(NotificationStatus.Retrying);
        var fallback = turn.Events.Single(e => e.Event == "FALLBACK").Details;
        fallback["from"].Should().Be(Channel.Email);
        fallback["to"].Should().Be(Channel.Sms);
        fallback["reason"].Should().Be("PERMANENT_FAILURE");
        fallback["errorCode"].Should().Be("SMTP_550");

        var next = Fire(turn.State);
        next.Starts.Should().Equal(new AttemptStart(Channel.Sms, 1));
        next.State.Status.Should().Be(NotificationStatus.Processing);
    }

    [Fact]
    public void Falls_back_from_email_to_sms_after_email_exhausts_its_retries()
    {
        var s = Chain(Channel.Email, Channel.Sms) with { Retry = Deployment with { MaxAttempts = 2 } };

        var first = Result(Fire(s).State, Channel.Email, Transient);
        first.State.Delivery(Channel.Email)!.Status.Should().Be(DeliveryStatus.Retrying);
        var second = Result(Fire(first.State, T0.AddSeconds(1)).State, Channel.Email, Transient, T0.AddSeconds(1));

        second.State.Delivery(Channel.Email)!.Attempts.Should().Be(2, "the bound policy allows 2 attempts, not the deployment's 5");
        second.Events.Single(e => e.Event == "FALLBACK").Details["reason"].Should().Be("RETRY_EXHAUSTED");
        Fire(second.State, T0.AddSeconds(1)).Starts.Should().Equal(new AttemptStart(Channel.Sms, 1));
    }

    [Fact]
    public void Sent_after_fallback_counts_as_sent_and_leaves_the_rest_in_standby()
    {
        var s = FailFirst(Chain(Channel.Email, Channel.Webhook, Channel.Sms), Channel.Email);
        var sent = Result(Fire(s).State, Channel.Webhook, AttemptOutcome.Success("m-1")).State;

        sent.Status.Should().Be(NotificationStatus.Sent);
        sent.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Standby);
        sent.NextDueAt.Should().BeNull();
        NotificationMachine.Apply(sent, new NotificationCommand.Cancel(), T0, Deployment).Rejection.Should().Be("NOT_CANCELLABLE");
    }

    [Fact]
    public void Last_channel_failing_dead_letters_it_and_fails_the_notification()
    {
        var s = FailFirst(Chain(Channel.Email, Channel.Sms), Channel.Email);
        var turn = Result(Fire(s).State, Channel.Sms, AttemptOutcome.Permanent("CHANNEL_DISABLED", "no sender"));

        turn.State.Status.Should().Be(NotificationStatus.Failed);
        turn.DeadLetters.Should().Equal(new DeadLetter(Channel.Sms, "CHANNEL_DISABLED", "no sender", 1));
        turn.Events.Select(e => e.Event).Should().Contain("DEAD_LETTERED").And.NotContain("FALLBACK");
    }

    [Fact]
    public void Expired_lease_on_the_last_attempt_hands_over_too()
    {
        var s = Chain(Channel.Email, Channel.Sms) with { Retry = Deployment with { MaxAttempts = 1 } };
        var turn = Fire(Fire(s).State, T0 + Lease);

        turn.Events.Single(e => e.Event == "FALLBACK").Details["errorCode"].Should().Be("LEASE_EXPIRED");
        turn.State.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Pending);
        turn.DeadLetters.Should().BeEmpty();
    }

    [Fact]
    public void Cancel_cancels_the_current_and_the_standby_channels()
    {
        var s = FailFirst(Chain(Channel.Email, Channel.Sms, Channel.Push), Channel.Email);

        var turn = NotificationMachine.Apply(s, new NotificationCommand.Cancel(), T0, Deployment);

        turn.State.Status.Should().Be(NotificationStatus.Cancelled);
        turn.State.Deliveries.Select(d => d.Status).Should().Equal(DeliveryStatus.Failed, DeliveryStatus.Cancelled, DeliveryStatus.Cancelled);
        turn.State.NextDueAt.Should().BeNull();
    }

    [Fact]
    public void Cancel_before_the_first_attempt_cancels_standby_channels()
    {
        var turn = NotificationMachine.Apply(Chain(Channel.Email, Channel.Sms), new NotificationCommand.Cancel(), T0, Deployment);

        turn.State.Status.Should().Be(NotificationStatus.Cancelled);
        turn.State.Deliveries.Should().OnlyContain(d => d.Status == DeliveryStatus.Cancelled);
    }

    [Fact]
    public void Manual_retry_from_the_dlq_retries_the_dead_lettered_last_channel()
    {
        var s = FailFirst(Chain(Channel.Email, Channel.Sms), Channel.Email);
        var failed = Result(Fire(s).State, Channel.Sms, Permanent).State;

        var retry = NotificationMachine.Apply(failed, new NotificationCommand.RetryDeadLetter(Channel.Sms), T0, Deployment);
        retry.State.Status.Should().Be(NotificationStatus.Retrying);
        retry.State.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Retrying);

        var again = Result(Fire(retry.State).State, Channel.Sms, Permanent);
        again.DeadLetters.Should().ContainSingle().Which.Channel.Should().Be(Channel.Sms);
        again.State.Status.Should().Be(NotificationStatus.Failed);
    }

    [Fact]
    public void Manual_retry_refuses_a_channel_that_handed_over_and_never_entered_the_dlq()
    {
        var s = FailFirst(Chain(Channel.Email, Channel.Sms), Channel.Email);

        NotificationMachine.Apply(s, new NotificationCommand.RetryDeadLetter(Channel.Email), T0, Deployment)
            .Rejection.Should().Be("NOT_DEAD_LETTERED");
    }

    [Fact]
    public void A_bound_policy_wins_over_the_deployment_policy_for_backoff()
    {
        var s = Chain(Channel.Email) with { Retry = new RetryPolicy(3, TimeSpan.FromSeconds(2), 2, TimeSpan.FromSeconds(10), 0) };

        var turn = Result(Fire(s).State, Channel.Email, Transient);

        turn.State.Delivery(Channel.Email)!.DueAt.Should().Be(T0.AddSeconds(2));
    }

    [Fact]
    public void Explicit_channels_keep_running_in_parallel_and_fail_on_their_own()
    {
        var s = NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), [Channel.Email, Channel.Webhook], T0, sendAt: null);

        var turn = Result(Fire(s).State, Channel.Email, Permanent);

        turn.DeadLetters.Should().ContainSingle();
        turn.Events.Select(e => e.Event).Should().NotContain("FALLBACK");
    }
}
