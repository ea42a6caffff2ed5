using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

[JsonConverter(typeof(NameOnlyEnumConverter<Channel>))]
[GenerateSerializer]
public enum Channel
{
    [JsonStringEnumMemberName("EMAIL")] Email,
    [JsonStringEnumMemberName("SMS")] Sms,
    [JsonStringEnumMemberName("PUSH")] Push,
    [JsonStringEnumMemberName("WEBHOOK")] Webhook,
}
