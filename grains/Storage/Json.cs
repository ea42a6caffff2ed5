using System.Text.Json;

namespace Notifly.Grains.Storage;

/// <summary>JSON settings for what we store in jsonb columns and put on the wire.</summary>
public static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
