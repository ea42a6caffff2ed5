using System.Text.Json;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>One row of seed 002's audit table.</summary>
public sealed record NotificationEventView(long Id, string Event, JsonElement? Details, DateTimeOffset CreatedAt);
