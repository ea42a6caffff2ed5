using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Channels;

/// <summary>The channels this deployment delivers (<c>Notifly:Channels</c>); intake refuses the others.</summary>
public sealed class ChannelsOptions
{
    public HashSet<Channel> Enabled { get; set; } = [Channel.Email, Channel.Webhook];
}
