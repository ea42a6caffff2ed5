using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Serialization;

namespace Notifly.GrainInterfaces.StatusWebhooks;

/// <summary>Where one event's delivery to one endpoint stands.</summary>
[JsonConverter(typeof(NameOnlyEnumConverter<WebhookDeliveryStatus>))]
public enum WebhookDeliveryStatus
{
    /// <summary>Not attempted yet (or queued again by a redelivery).</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>An attempt failed in a way worth retrying; the next one is at <c>nextAttemptAt</c>.</summary>
    [JsonStringEnumMemberName("retrying")] Retrying,
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    [JsonStringEnumMemberName("failed")] Failed,
}
