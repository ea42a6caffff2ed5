using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Grains.Runtime;

/// <summary>A finished provider call, waiting for its result turn.</summary>
public sealed record AttemptResult(Guid NotificationId, Channel Channel, int Attempt, AttemptOutcome Outcome, TimeSpan Latency);
