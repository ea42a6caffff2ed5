using System.Text;
using System.Text.Json;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// FCM v1's error answer, <c>{"error":{"code","message","status","details":[{"@type":"…FcmError","errorCode"}]}}</c>.
/// <see cref="Code"/> is the FcmError's errorCode when there is one, the google.rpc status otherwise.
/// </summary>
internal sealed record FcmError(string? Code, string? Message)
{
    private const int MaxBytes = 16 * 1024;
    private const string FcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError";

    /// <summary>Reads at most 16 KB; an unreadable or foreign body yields no code, and the HTTP status decides.</summary>
    public static async Task<FcmError> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxBytes];
        var filled = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return new FcmError(null, "(body not readable)");
        }

        return Parse(buffer.AsSpan(0, filled));
    }

    private static FcmError Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return new FcmError(null, Encoding.UTF8.GetString(body));
            }

            var message = String(error, "message");
            var code = String(error, "status");
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                foreach (var detail in details.EnumerateArray())
                {
                    if (detail.ValueKind == JsonValueKind.Object && String(detail, "@type") == FcmErrorType && String(detail, "errorCode") is { } errorCode)
                    {
                        code = errorCode;
                    }
                }
            }

            return new FcmError(code, message);
        }
        catch (JsonException)
        {
            return new FcmError(null, Encoding.UTF8.GetString(body));
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
