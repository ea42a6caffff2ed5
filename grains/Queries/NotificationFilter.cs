using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Queries;

public sealed record NotificationFilter(
    NotificationStatus? Status = null,
    Channel? Channel = null,
    string? EventType = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 50,
    PageCursor? After = null);
