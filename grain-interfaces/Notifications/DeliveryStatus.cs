using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>The state of one channel's delivery inside a notification.</summary>
[JsonConverter(typeof(NameOnlyEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    [JsonStringEnumMemberName("PENDING")] Pending,
    [JsonStringEnumMemberName("SCHEDULED")] Scheduled,
    [JsonStringEnumMemberName("PROCESSING")] Processing,
    [JsonStringEnumMemberName("RETRYING")] Retrying,
    [JsonStringEnumMemberName("SENT")] Sent,
    [JsonStringEnumMemberName("FAILED")] Failed,
    [JsonStringEnumMemberName("CANCELLED")] Cancelled,

    // The recipient opted out of the channel: decided at intake, never attempted (docs/0009).
    [JsonStringEnumMemberName("SKIPPED")] Skipped,

    /// <summary>A later channel of a fallback chain: not due, started only if the ones before it fail for good.</summary>
    [JsonStringEnumMemberName("STANDBY")] Standby,

    /// <summary>Sent, and the provider's receipt says it reached the recipient (docs/0014).</summary>
    [JsonStringEnumMemberName("DELIVERED")] Delivered,

    /// <summary>Sent, and the provider's receipt says it never reached the recipient (docs/0014).</summary>
    [JsonStringEnumMemberName("BOUNCED")] Bounced,

    /// <summary>The notification's expiresAt passed before this channel sent it; never attempted again.</summary>
    [JsonStringEnumMemberName("EXPIRED")] Expired,
}
