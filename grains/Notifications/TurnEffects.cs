using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Notifications;

/// <summary>An audit event (seed 002's notification_events).</summary>
public sealed record AuditEvent(string Event, IReadOnlyDictionary<string, object?> Details);

/// <summary>A provider attempt to start once the turn commits.</summary>
public sealed record AttemptStart(Channel Channel, int Attempt);

/// <summary>A finished (or abandoned) attempt for notification_logs.</summary>
public sealed record AttemptLog(
    Channel Channel, int Attempt, string Status, long? LatencyMs, string? ErrorCode, string? ErrorMessage, string? ProviderMessageId,
    string? Provider = null);

/// <summary>A channel that failed for good and enters the dead-letter queue.</summary>
public sealed record DeadLetter(Channel Channel, string ErrorCode, string? ErrorMessage, int Attempts);
