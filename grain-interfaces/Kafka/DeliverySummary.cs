using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Kafka;

/// <summary>One channel's delivery inside a <see cref="NotificationStatusEvent"/>.</summary>
public sealed record DeliverySummary(Channel Channel, DeliveryStatus Status, int Attempts, string? LastErrorCode);
