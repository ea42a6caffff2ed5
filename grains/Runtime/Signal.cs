namespace Notifly.Grains.Runtime;

/// <summary>
/// A wake-up for one background loop: any number of <see cref="Wake"/> calls while the loop is
/// busy leave exactly one pending wake-up for its next wait, so none is lost between a pass that
/// found nothing and the wait that follows it. Subclassed once per loop, for dependency injection.
/// </summary>
public abstract class Signal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        // Cheap check first: this runs after every batch, and a throw per call adds up.
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
