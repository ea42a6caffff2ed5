namespace Notifly.GrainInterfaces.Notifications;

public sealed record BatchSendRequest(IReadOnlyList<SendNotificationRequest>? Notifications);
