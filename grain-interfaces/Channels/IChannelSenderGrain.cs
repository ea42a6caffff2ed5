namespace Notifly.GrainInterfaces.Channels;

/// <summary>
/// Sends one delivery attempt through the tenant's providers of one channel (key: the channel's
/// wire name, e.g. <c>WEBHOOK</c>) and classifies the answer. It decides nothing else: retries,
/// backoff and dead-lettering belong to the caller. Provider and network failures come back as a
/// result, never as an exception.
/// </summary>
public interface IChannelSenderGrain : IGrainWithStringKey
{
    // The router bounds each provider call with its own timeout (up to 5 minutes each, one after
    // another on failover), and a stopping node abandons what is left (AttemptAbandonment);
    // Orleans' 30 s default would fire first and turn a slow success into a duplicate delivery.
    [ResponseTimeout("01:00:00")]
    Task<ChannelSendResult> SendAsync(ChannelSendRequest request);
}
