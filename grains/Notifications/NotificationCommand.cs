using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Grains.Notifications;

/// <summary>What a turn of a NotificationGrain can be asked to do.</summary>
public abstract record NotificationCommand
{
    private NotificationCommand()
    {
    }

    /// <summary>The grain's reminder fired: start due attempts, reclaim expired leases.</summary>
    public sealed record Fire(TimeSpan Lease) : NotificationCommand;

    /// <summary>A sender finished attempt <paramref name="Attempt"/> of <paramref name="Channel"/>.</summary>
    public sealed record RecordResult(Channel Channel, int Attempt, AttemptOutcome Outcome, TimeSpan Latency, double Jitter)
        : NotificationCommand;

    public sealed record Cancel : NotificationCommand;

    /// <summary>
    /// The silo running this grain's attempts (<paramref name="Owner"/>) was declared dead by the
    /// cluster: its leases come due now instead of at their expiry, so the next reminder counts
    /// the attempts as abandoned and runs them again elsewhere.
    /// </summary>
    public sealed record ReleaseLease(string Owner) : NotificationCommand;

    /// <summary>
    /// The provider's final word on the message it accepted as <paramref name="ProviderMessageId"/>
    /// for <paramref name="Channel"/> (docs/0014).
    /// </summary>
    public sealed record Receipt(Channel Channel, string ProviderMessageId, ReceiptStatus Status, string? ErrorCode)
        : NotificationCommand;

    /// <summary>Manual retry from the dead-letter queue: a fresh round of attempts for one channel.</summary>
    public sealed record RetryDeadLetter(Channel Channel) : NotificationCommand;
}
