// Delivery receipts in the pure state machine (docs/0014, docs/0016): a SENT delivery moves once
// to DELIVERED or BOUNCED, duplicates and strangers change nothing, and a receipt that comes while
// another channel is still being sent decides the status once that channel finishes. A FAILED
// receipt (SendGrid's dropped) fails the channel for good: dead letter, or fallback in a chain.
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Notifications;

namespace Notifly.Tests.Notifications;

public class ReceiptMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RetryPolicy Policy = RetryPolicy.Default with { JitterFraction = 0 };
    private const string Sid = "SM0123456789abcdef0123456789abcdef";

    private static TurnResult Apply(NotificationState s, NotificationCommand c) => NotificationMachine.Apply(s, c, T0, Policy);

    private static NotificationState Processing(params Channel[] channels) =>
        Apply(NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), channels, T0, sendAt: null), new NotificationCommand.Fire(TimeSpan.FromSeconds(30))).State;

    private static NotificationState Sent(NotificationState s, Channel c, string? id = null) =>
        Apply(s, new NotificationCommand.RecordResult(c, s.Delivery(c)!.Attempts, AttemptOutcome.Success(id), TimeSpan.Zero, 0)).State;

    private static NotificationCommand.Receipt Delivered(string sid = Sid) => new(Channel.Sms, sid, ReceiptStatus.Delivered, null);

    [Fact]
    public void Sent_to_delivered_on_a_delivered_receipt_with_a_receipt_event()
    {
        var s = Sent(Processing(Channel.Sms), Channel.Sms, Sid);

        var turn = Apply(s, Delivered());

        turn.Rejection.Should().BeNull();
        turn.State.Status.Should().Be(NotificationStatus.Delivered);
        turn.State.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Delivered);
        var receipt = turn.Events.Single(e => e.Event == "RECEIPT");
        receipt.Details["providerMessageId"].Should().Be(Sid);
        receipt.Details["status"].Should().Be("DELIVERED");
        turn.Events.Select(e => e.Event).Should().Contain("STATUS_CHANGED");
    }

    [Fact]
    public void Sent_to_bounced_on_an_undelivered_receipt_keeping_the_error_code()
    {
        var s = Sent(Processing(Channel.Sms), Channel.Sms, Sid);

        var turn = Apply(s, new NotificationCommand.Receipt(Channel.Sms, Sid, ReceiptStatus.Undelivered, "30003"));

        turn.State.Status.Should().Be(NotificationStatus.Bounced);
        var d = turn.State.Delivery(Channel.Sms)!;
        d.Status.Should().Be(DeliveryStatus.Bounced);
        d.LastErrorCode.Should().Be("30003");
        turn.Events.Single(e => e.Event == "RECEIPT").Details["errorCode"].Should().Be("30003");
        turn.DeadLetters.Should().BeEmpty("a bounce was sent; there is nothing to retry");
    }

    [Fact]
    public void Duplicate_receipt_changes_nothing()
    {
        var s = Apply(Sent(Processing(Channel.Sms), Channel.Sms, Sid), Delivered()).State;

        Apply(s, Delivered()).Rejection.Should().Be("ALREADY_RECEIPTED");
        Apply(s, new NotificationCommand.Receipt(Channel.Sms, Sid, ReceiptStatus.Undelivered, "30003")).Rejection
            .Should().Be("ALREADY_RECEIPTED", "receipts are final; a late contrary one does not rewind");
    }

    [Fact]
    public void Receipt_for_another_message_or_an_unsent_delivery_is_rejected()
    {
        var s = Sent(Processing(Channel.Sms), Channel.Sms, Sid);
        Apply(s, Delivered("SM_other")).Rejection.Should().Be("UNKNOWN_MESSAGE");
        Apply(Processing(Channel.Sms), Delivered()).Rejection.Should().Be("UNKNOWN_MESSAGE");
    }

    [Fact]
    public void Receipt_while_another_channel_is_in_flight_decides_once_it_finishes()
    {
        var s = Sent(Processing(Channel.Sms, Channel.Email), Channel.Sms, Sid);
        s.Status.Should().Be(NotificationStatus.Processing);

        s = Apply(s, Delivered()).State;
        s.Status.Should().Be(NotificationStatus.Processing);

        Sent(s, Channel.Email).Status.Should().Be(NotificationStatus.Delivered);
    }

    [Fact]
    public void Bounce_does_not_bounce_a_notification_another_channel_sent()
    {
        var s = Sent(Sent(Processing(Channel.Sms, Channel.Email), Channel.Sms, Sid), Channel.Email);

        var turn = Apply(s, new NotificationCommand.Receipt(Channel.Sms, Sid, ReceiptStatus.Undelivered, "30003"));

        turn.State.Status.Should().Be(NotificationStatus.Sent);
        turn.State.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Bounced);
    }

    private const string EmailId = "sg-x-message-id-1";

    private static NotificationCommand.Receipt Dropped(string id = EmailId) => new(Channel.Email, id, ReceiptStatus.Failed, "SENDGRID_DROPPED");

    [Fact]
    public void Failed_receipt_dead_letters_a_sent_channel_with_no_fallback()
    {
        var s = Sent(Processing(Channel.Email), Channel.Email, EmailId);

        var turn = Apply(s, Dropped());

        turn.Rejection.Should().BeNull();
        turn.State.Status.Should().Be(NotificationStatus.Failed);
        var d = turn.State.Delivery(Channel.Email)!;
        d.Should().Match<DeliveryState>(x => x.Status == DeliveryStatus.Failed && !x.Superseded && x.LastErrorCode == "SENDGRID_DROPPED");
        turn.DeadLetters.Should().Equal(new DeadLetter(Channel.Email, "SENDGRID_DROPPED", d.LastError, 1));
        turn.Events.Select(e => e.Event).Should().ContainInOrder("RECEIPT", "DEAD_LETTERED", "STATUS_CHANGED");
        turn.Events.Single(e => e.Event == "RECEIPT").Details["status"].Should().Be("FAILED");
        turn.Events.Single(e => e.Event == "DEAD_LETTERED").Details["reason"].Should().Be("RECEIPT_FAILED");
    }

    [Fact]
    public void Failed_receipt_hands_a_chain_over_to_its_next_channel()
    {
        var chain = FallbackChain.Hold(NotificationState.Create(Guid.NewGuid(), Guid.NewGuid(), [Channel.Email, Channel.Sms], T0, sendAt: null));
        var s = Sent(Apply(chain, new NotificationCommand.Fire(TimeSpan.FromSeconds(30))).State, Channel.Email, EmailId);
        s.Status.Should().Be(NotificationStatus.Sent);
        s.Delivery(Channel.Sms)!.Status.Should().Be(DeliveryStatus.Standby);

        var turn = Apply(s, Dropped());

        turn.DeadLetters.Should().BeEmpty("a channel that hands over is not a lost notification");
        turn.State.Status.Should().Be(NotificationStatus.Retrying);
        turn.State.Delivery(Channel.Email)!.Should().Match<DeliveryState>(d => d.Status == DeliveryStatus.Failed && d.Superseded);
        turn.State.Delivery(Channel.Sms)!.Should().Match<DeliveryState>(d => d.Status == DeliveryStatus.Pending && d.DueAt == T0);
        var fallback = turn.Events.Single(e => e.Event == "FALLBACK").Details;
        fallback["reason"].Should().Be("RECEIPT_FAILED");
        fallback["errorCode"].Should().Be("SENDGRID_DROPPED");

        var next = Apply(turn.State, new NotificationCommand.Fire(TimeSpan.FromSeconds(30)));
        next.Starts.Should().Equal(new AttemptStart(Channel.Sms, 1));
    }

    [Fact]
    public void Failed_receipt_after_another_channel_was_delivered_still_dead_letters()
    {
        var s = Sent(Sent(Processing(Channel.Sms, Channel.Email), Channel.Sms, Sid), Channel.Email, EmailId);
        s = Apply(s, Delivered()).State;
        s.Status.Should().Be(NotificationStatus.Delivered);

        var turn = Apply(s, Dropped());

        turn.State.Status.Should().Be(NotificationStatus.Failed, "as when a parallel channel fails while another was delivered");
        turn.DeadLetters.Should().ContainSingle().Which.Channel.Should().Be(Channel.Email);
    }

    [Fact]
    public void Failed_receipt_for_a_receipted_failed_or_other_message_changes_nothing()
    {
        var sent = Sent(Processing(Channel.Email), Channel.Email, EmailId);
        var failed = Apply(sent, Dropped()).State;

        Apply(failed, Dropped()).Rejection.Should().Be("NOT_SENT", "a duplicate dropped event must not dead-letter twice");
        Apply(failed, new NotificationCommand.Receipt(Channel.Email, EmailId, ReceiptStatus.Delivered, null)).Rejection.Should().NotBeNull();
        var delivered = Apply(sent, new NotificationCommand.Receipt(Channel.Email, EmailId, ReceiptStatus.Delivered, null)).State;
        Apply(delivered, Dropped()).Rejection.Should().Be("ALREADY_RECEIPTED");
        Apply(sent, Dropped("another-message")).Rejection.Should().Be("UNKNOWN_MESSAGE");
    }

    [Fact]
    public void Dead_lettered_by_a_receipt_can_be_retried_by_hand()
    {
        var failed = Apply(Sent(Processing(Channel.Email), Channel.Email, EmailId), Dropped()).State;

        var retry = Apply(failed, new NotificationCommand.RetryDeadLetter(Channel.Email));

        retry.Rejection.Should().BeNull();
        retry.State.Status.Should().Be(NotificationStatus.Retrying);
        Apply(retry.State, new NotificationCommand.Fire(TimeSpan.FromSeconds(30))).Starts.Should().Equal(new AttemptStart(Channel.Email, 2));
    }
}
