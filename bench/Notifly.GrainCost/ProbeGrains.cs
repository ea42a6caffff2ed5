using Orleans.Concurrency;
using Orleans.Placement;

namespace Notifly.GrainCost;

public interface IProbeGrain : IGrainWithGuidKey
{
    Task<int> Touch();

    /// <summary>Answers, then deactivates: what a notification grain does once it is done.</summary>
    Task<int> TouchAndLeave();
}

public interface IProbeWorkerGrain : IGrainWithIntegerKey
{
    Task<int> Touch();
}

/// <summary>A grain that holds a counter; placed on the calling silo, as a notification grain would be.</summary>
[PreferLocalPlacement]
public sealed class ProbeGrain : Grain, IProbeGrain
{
    private int _touches;

    public Task<int> Touch() => Task.FromResult(++_touches);

    public Task<int> TouchAndLeave()
    {
        DeactivateOnIdle();
        return Task.FromResult(++_touches);
    }
}

[StatelessWorker]
public sealed class ProbeWorkerGrain : Grain, IProbeWorkerGrain
{
    private int _touches;

    public Task<int> Touch() => Task.FromResult(++_touches);
}
