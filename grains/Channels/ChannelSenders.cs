using Notifly.GrainInterfaces.Channels;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels;

public static class ChannelSenders
{
    /// <summary>The channel's sender grain, keyed by the channel's wire name.</summary>
    public static IChannelSenderGrain ChannelSender(this IGrainFactory grains, Channel channel) =>
        grains.GetGrain<IChannelSenderGrain>(channel.Name());
}
