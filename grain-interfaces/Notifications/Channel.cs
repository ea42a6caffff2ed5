using System.Text.Json.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    [JsonStringEnumMemberName("EMAIL")] Email,
    [JsonStringEnumMemberName("SMS")] Sms,
    [JsonStringEnumMemberName("PUSH")] Push,
    [JsonStringEnumMemberName("WEBHOOK")] Webhook,
}
