using System.Collections.Frozen;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Storage;

/// <summary>The wire names of our enums ("EMAIL", "SENT"), as stored in text columns.</summary>
public static class Wire
{
    private static readonly FrozenDictionary<NotificationStatus, string> StatusNames = Names<NotificationStatus>();
    private static readonly FrozenDictionary<string, NotificationStatus> Statuses = StatusNames.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);
    private static readonly FrozenDictionary<Channel, string> ChannelNames = Names<Channel>();
    private static readonly FrozenDictionary<string, Channel> Channels = ChannelNames.ToFrozenDictionary(kv => kv.Value, kv => kv.Key);

    public static string Name(this NotificationStatus status) => StatusNames[status];

    public static string Name(this Channel channel) => ChannelNames[channel];

    public static NotificationStatus ParseStatus(string name) => Statuses[name];

    public static Channel ParseChannel(string name) => Channels[name];

    public static bool TryParseStatus(string name, out NotificationStatus status) => Statuses.TryGetValue(name, out status);

    public static bool TryParseChannel(string name, out Channel channel) => Channels.TryGetValue(name, out channel);

    private static FrozenDictionary<T, string> Names<T>() where T : struct, Enum =>
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonSerializer.Serialize(v).Trim('"'));
}
