using Notifly.GrainInterfaces.Channels;
using Orleans.Concurrency;
using Notifly.Grains.Providers;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels;

/// <summary>
/// The channel's sender on this silo: one reentrant activation per channel wherever it is
/// called from, so a dispatch never leaves the node. It wraps the provider router unchanged —
/// failover, circuit breakers, per-provider limits and reserved urgent slots all live there.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class ChannelSenderGrain(ProviderRouter router) : Grain, IChannelSenderGrain
{
    public async Task<ChannelSendResult> SendAsync(ChannelSendRequest request, CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(request.Channel.Name(), key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"a {request.Channel.Name()} delivery was sent to the {key} sender", nameof(request));
        }

        // Off the activation's scheduler: hundreds of sends are in flight at once, and their
        // synchronous parts (signing, rendering the request) ran in parallel on the thread pool
        // before the grain existed; one activation's turns would run them one at a time.
        var outcome = await Task.Run(() => router.SendAsync(request.ToWork(), cancellationToken), cancellationToken);
        return outcome.ToResult();
    }
}
