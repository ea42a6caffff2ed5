using System.Text.Json;

namespace Notifly.Grains.Templates;

/// <summary>
/// A JSON value as the plain objects Handlebars.Net walks: objects become dictionaries, arrays
/// lists, numbers their shortest exact .NET type (so 3 renders "3", not "3.0").
/// </summary>
internal static class JsonValues
{
    public static object? ToObject(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[p.Name] = ToObject(p.Value); return d; }),
        JsonValueKind.Array => element.EnumerateArray().Select(ToObject).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.TryGetDecimal(out var m) ? m : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

}
