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
}
