using System.Text.Json.Serialization;

namespace Notifly.GrainInterfaces.Serialization;

/// <summary>
/// An enum on the wire by its documented name only. The stock converter also takes numbers
/// (<c>"priority":1</c>, even <c>99</c>, which no name stands for) and numeric strings; those
/// are refused here, so a client learns the names instead of depending on our ordinals.
/// </summary>
public sealed class NameOnlyEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
