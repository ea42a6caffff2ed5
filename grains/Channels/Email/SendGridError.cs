using System.Text.Json;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// The first entry of SendGrid's v3 error body, <c>{"errors": [{"message": "...", "field": "...", "help": "..."}]}</c>
/// (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors).
/// </summary>
internal sealed record SendGridError(string? Message, string? Field, string? Help)
{
    /// <summary>What the body says, or nothing when it is not SendGrid's JSON (a proxy's HTML page, say).</summary>
    public static SendGridError? Parse(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array
                || errors.GetArrayLength() == 0 || errors[0].ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var first = errors[0];
            return new SendGridError(Text(first, "message"), Text(first, "field"), Text(first, "help"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() =>
        string.Join(" ", new[] { Message, Field is null ? null : $"(field {Field})", Help }.Where(s => !string.IsNullOrEmpty(s)));

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
