using System.Text.Json;
using Notifly.GrainInterfaces.Kafka;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Kafka.Outbox;

/// <summary>
/// The payloads turns write into <c>notification_outbox</c>: only what the turn knows. The relay
/// completes them when it publishes: the event id (the row's id), the correlation id and the event
/// type (the row's columns, filled from the notification as the row is written).
/// </summary>
internal static class OutboxEvents
{
    public static string StatusChanged(NotificationState before, NotificationState after, DateTimeOffset now) =>
        JsonSerializer.Serialize(new NotificationStatusEvent(
            EventId: 0,
            after.Id,
            after.TenantId,
            CorrelationId: null,
            EventType: null,
            after.Status,
            before.Status,
            now,
            RetryCount(after),
            after.Deliveries.Select(d => new DeliverySummary(d.Channel, d.Status, d.Attempts, d.LastErrorCode)).ToArray()), Json.Options);

    public static string DeadLettered(NotificationState state, DeadLetter dead, DateTimeOffset now) =>
        JsonSerializer.Serialize(new NotificationDeadLetterEvent(
            EventId: 0, state.Id, state.TenantId, CorrelationId: null, EventType: null,
            dead.Channel, dead.ErrorCode, dead.ErrorMessage, dead.Attempts, now), Json.Options);

    /// <summary>Attempts beyond the first, the most of any delivery (seed 000's retry-count).</summary>
    public static int RetryCount(NotificationState state) =>
        state.Deliveries.Count == 0 ? 0 : Math.Max(0, state.Deliveries.Max(d => d.Attempts) - 1);
}
