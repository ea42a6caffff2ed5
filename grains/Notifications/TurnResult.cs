namespace Notifly.Grains.Notifications;

/// <summary>
/// The outcome of one turn: the new state and the effects the runtime must persist atomically
/// with it. <see cref="Rejection"/> set means the command did not apply and nothing changes.
/// </summary>
public sealed record TurnResult(
    NotificationState State,
    IReadOnlyList<AuditEvent> Events,
    IReadOnlyList<AttemptStart> Starts,
    IReadOnlyList<AttemptLog> Logs,
    IReadOnlyList<DeadLetter> DeadLetters,
    string? Rejection = null)
{
    public bool Changed => Rejection is null && (Events.Count > 0 || Starts.Count > 0 || Logs.Count > 0);

    public static TurnResult Rejected(NotificationState state, string reason) => new(state, [], [], [], [], reason);
}
