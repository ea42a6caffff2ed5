using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Intake;

/// <summary>What became of one submitted request once its batch committed.</summary>
public abstract record IntakeOutcome
{
    private IntakeOutcome()
    {
    }

    /// <summary>Durable. <paramref name="Replayed"/>: an earlier request with the same key and payload.</summary>
    public sealed record Accepted(NotificationAccepted Response, bool Replayed) : IntakeOutcome;

    /// <summary>The idempotency key is taken by a request with a different payload.</summary>
    public sealed record Conflict(Guid ExistingRequestId) : IntakeOutcome;

    /// <summary>The key was revoked or the tenant suspended after authentication, or (Kafka) the tenant is unknown or not active.</summary>
    public sealed record Unauthorized : IntakeOutcome;

    /// <summary>
    /// PostgreSQL refused something this request carries (text it cannot store, a value out of its
    /// range) that the edge's checks let through: the request alone is refused, as VALIDATION_FAILED.
    /// </summary>
    public sealed record Invalid(string Message) : IntakeOutcome;

    /// <summary>Writing this request failed for a reason of ours, after its batch was split to spare the others.</summary>
    public sealed record Failed(Exception Error) : IntakeOutcome;
}
