using System.Text.Json;

namespace Notifly.Grains.Channels.Sms;

/// <summary>
/// Twilio's REST error body: <c>{"code": 21211, "message": "...", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}</c>.
/// </summary>
internal sealed record TwilioError(int? Code, string? Message, string? MoreInfo)
{
    /// <summary>What the body says, or nothing when it is not Twilio's JSON (a proxy's HTML page, say).</summary>
    public static TwilioError? Parse(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            int? code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : null;
            return new TwilioError(code, Text(root, "message"), Text(root, "more_info"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
