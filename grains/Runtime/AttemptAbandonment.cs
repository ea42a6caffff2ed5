namespace Notifly.Grains.Runtime;

/// <summary>
/// The node's signal that attempts still running are abandoned to their leases: the dispatcher
/// raises it when it stops, after its drain time. The channel sender grains run on the
/// dispatcher's own silo and watch it directly. Cancelling the grain calls instead made Orleans
/// log a failed cancellation message per call on every stop: it could not address them to the
/// stateless worker's activations.
/// </summary>
public sealed class AttemptAbandonment : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public CancellationToken Token => _source.Token;

    public bool IsAbandoned => _source.IsCancellationRequested;

    public Task AbandonAsync() => _source.CancelAsync();

    public void Dispose() => _source.Dispose();
}
