using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Channels;

/// <summary>
/// Sends one delivery attempt and classifies the answer. It decides nothing else: retries,
/// backoff and dead-lettering belong to the NotificationGrain. Implementations never throw for
/// provider or network failures; they return a <see cref="AttemptOutcome"/>. Cancellation of
/// <paramref name="cancellationToken"/> means the process is stopping: throw, and the attempt's
/// lease expires and runs again.
/// </summary>
public interface IChannelSender
{
    Channel Channel { get; }

    Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken);
}
