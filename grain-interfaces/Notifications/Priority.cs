using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Serialization;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>Seeds 003/004: lower value is claimed first.</summary>
[JsonConverter(typeof(NameOnlyEnumConverter<Priority>))]
[GenerateSerializer]
public enum Priority
{
    [JsonStringEnumMemberName("instant")] Instant = 0,
    [JsonStringEnumMemberName("high")] High = 1,
    [JsonStringEnumMemberName("normal")] Normal = 2,
    [JsonStringEnumMemberName("low")] Low = 3,
}
