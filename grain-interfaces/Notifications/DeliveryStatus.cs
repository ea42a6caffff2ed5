using System.Text.Json.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>The state of one channel's delivery inside a notification.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    [JsonStringEnumMemberName("PENDING")] Pending,
    [JsonStringEnumMemberName("SCHEDULED")] Scheduled,
    [JsonStringEnumMemberName("PROCESSING")] Processing,
    [JsonStringEnumMemberName("RETRYING")] Retrying,
    [JsonStringEnumMemberName("SENT")] Sent,
    [JsonStringEnumMemberName("FAILED")] Failed,
    [JsonStringEnumMemberName("CANCELLED")] Cancelled,

    /// <summary>A later channel of a fallback chain: not due, started only if the ones before it fail for good.</summary>
    [JsonStringEnumMemberName("STANDBY")] Standby,
}
