using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Seed 002's state machine, extended (ARCHITECTURE.md §3).</summary>
[JsonConverter(typeof(NameOnlyEnumConverter<NotificationStatus>))]
[GenerateSerializer]
public enum NotificationStatus
{
    [JsonStringEnumMemberName("ACCEPTED")] Accepted,
    [JsonStringEnumMemberName("SCHEDULED")] Scheduled,
    [JsonStringEnumMemberName("PROCESSING")] Processing,
    [JsonStringEnumMemberName("RETRYING")] Retrying,
    [JsonStringEnumMemberName("SENT")] Sent,
    [JsonStringEnumMemberName("DELIVERED")] Delivered,
    [JsonStringEnumMemberName("FAILED")] Failed,
    [JsonStringEnumMemberName("CANCELLED")] Cancelled,
    [JsonStringEnumMemberName("SKIPPED")] Skipped,
    [JsonStringEnumMemberName("BOUNCED")] Bounced,

    /// <summary>Its expiresAt passed before any channel could send it: never sent late, not dead-lettered.</summary>
    [JsonStringEnumMemberName("EXPIRED")] Expired,
}
