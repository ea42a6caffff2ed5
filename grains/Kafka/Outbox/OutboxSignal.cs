namespace Notifly.Grains.Kafka.Outbox;

/// <summary>
/// Wakes this node's <see cref="OutboxRelay"/> after a commit that wrote outbox rows, so events
/// leave within milliseconds instead of a poll interval. Rows written by other nodes are found by
/// polling. A wake-up that arrives while the relay is busy is kept for its next wait.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        // Runs after every intake batch and turn: skip the release (and its throw) when one is pending.
        if (_signal.CurrentCount > 0)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // lost a race with another waker; one pending wake-up is enough
        }
    }

    /// <returns>true when woken, false on timeout.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}
