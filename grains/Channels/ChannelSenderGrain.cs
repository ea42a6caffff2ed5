using Notifly.GrainInterfaces.Channels;
using Orleans.Concurrency;
using Notifly.Grains.Providers;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels;

/// <summary>
/// The channel's sender: stateless, so Orleans runs it on the calling silo, with as many
/// activations as the silo has cores and each one reentrant, so hundreds of sends overlap. It
/// wraps the provider router unchanged — failover, circuit breakers, per-provider limits and
/// reserved urgent slots all live there.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class ChannelSenderGrain(ProviderRouter router, AttemptAbandonment abandonment) : Grain, IChannelSenderGrain
{
    public async Task<ChannelSendResult> SendAsync(ChannelSendRequest request)
    {
        var key = this.GetPrimaryKeyString();
        if (!string.Equals(request.Channel.Name(), key, StringComparison.Ordinal))
        {
            throw new ArgumentException($"a {request.Channel.Name()} delivery was sent to the {key} sender", nameof(request));
        }

        var outcome = await router.SendAsync(request.ToWork(), abandonment.Token);
        return outcome.ToResult();
    }
}
