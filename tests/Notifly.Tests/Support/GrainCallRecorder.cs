using System.Collections.Concurrent;
using Notifly.GrainInterfaces.Channels;

namespace Notifly.Tests.Support;

/// <summary>
/// A real incoming-call filter in a node's silo that notes each channel sender call (grain key and
/// notification id), so a test can tell that a dispatch went through the grain and not around it.
/// </summary>
public sealed class GrainCallRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<(string Key, Guid NotificationId), int> _sends = new();

    public bool SawSend(string channelKey, Guid notificationId) => _sends.ContainsKey((channelKey, notificationId));

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Request.GetArgument(0) is ChannelSendRequest request)
        {
            _sends.AddOrUpdate((context.TargetId.Key.ToString()!, request.NotificationId), 1, (_, n) => n + 1);
        }

        return context.Invoke();
    }
}
