using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Notifications;

/// <summary>The scratch pad of one <see cref="NotificationMachine"/> turn.</summary>
internal sealed class Turn(NotificationState state, DateTimeOffset now)
{
    private readonly List<AuditEvent> _events = [];

    public DateTimeOffset Now { get; } = now;

    public DateTimeOffset? ExpiresAt { get; } = state.ExpiresAt;

    /// <summary>The notification's expiresAt has passed: nothing more may be attempted.</summary>
    public bool IsExpired => ExpiresAt is { } expires && expires <= Now;

    public List<DeliveryState> Deliveries { get; } = [.. state.Deliveries];

    public List<AttemptStart> Starts { get; } = [];

    public List<AttemptLog> Logs { get; } = [];

    public List<DeadLetter> DeadLetters { get; } = [];

    public DeliveryState? Find(Channel channel) => Deliveries.FirstOrDefault(d => d.Channel == channel);

    public DeliveryState Get(Channel channel) => Find(channel) ?? throw new InvalidOperationException($"no {channel} delivery");

    public void Set(DeliveryState delivery) =>
        Deliveries[Deliveries.FindIndex(d => d.Channel == delivery.Channel)] = delivery;

    public void Log(AttemptLog log) => Logs.Add(log);

    public void Event(string name, params (string Key, object? Value)[] details) =>
        _events.Add(new AuditEvent(name, details.ToDictionary(d => d.Key, d => d.Value)));

    public TurnResult Complete()
    {
        var status = NotificationMachine.Derive(Deliveries);
        if (!NotificationTransitions.IsLegal(state.Status, status))
        {
            throw new InvalidOperationException($"illegal transition {state.Status} → {status} for notification {state.Id}");
        }

        if (status != state.Status)
        {
            Event("STATUS_CHANGED", ("from", state.Status), ("to", status));
        }

        var changed = _events.Count > 0;
        var next = state with
        {
            Status = status,
            Version = changed ? state.Version + 1 : state.Version,
            Deliveries = Deliveries.ToArray(),
        };
        return new TurnResult(next, _events, Starts, Logs, DeadLetters);
    }
}
