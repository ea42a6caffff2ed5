using System.Text;
using System.Text.Json;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// A plain-text rendering of a notification payload for emails that come without a body:
/// one <c>path: value</c> line per leaf, which a person reads more easily than JSON.
/// </summary>
internal static class PayloadText
{
    public static string Render(string payloadJson)
    {
        try
        {
            using var payload = JsonDocument.Parse(payloadJson);
            var text = new StringBuilder();
            Append(text, "", payload.RootElement);
            return text.ToString();
        }
        catch (JsonException)
        {
            return payloadJson;
        }
    }

    private static void Append(StringBuilder text, string path, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Append(text, path.Length == 0 ? property.Name : $"{path}.{property.Name}", property.Value);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Append(text, $"{path}[{index++}]", item);
                }

                break;
            default:
                var value = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
                // CRLF: mail bodies are CRLF-delimited, and a bare LF is rewritten differently by each hop.
                text.Append(path.Length == 0 ? value : $"{path}: {value}").Append("\r\n");
                break;
        }
    }
}
