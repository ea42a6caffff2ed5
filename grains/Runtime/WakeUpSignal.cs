namespace Notifly.Grains.Runtime;

/// <summary>
/// Wakes the reminder service when new work may be due: from this node's intake directly, and
/// from other nodes through LISTEN/NOTIFY. A wake-up that arrives while nobody waits is kept,
/// so none is lost between a claim that found nothing and the wait that follows it.
/// </summary>
public sealed class WakeUpSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        // Cheap check first: this runs once per intake batch, and a throw per call adds up.
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
