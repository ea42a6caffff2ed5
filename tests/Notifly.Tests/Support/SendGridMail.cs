using System.Text.Json;

namespace Notifly.Tests.Support;

/// <summary>A mail send FakeSendGrid accepted for processing: the X-Message-Id it gave and the JSON it got.</summary>
public sealed record SendGridMail(string MessageId, JsonElement Body)
{
    public JsonElement Personalization => Body.GetProperty("personalizations")[0];

    public string To => Personalization.GetProperty("to")[0].GetProperty("email").GetString()!;

    public string CustomArg(string name) => Personalization.GetProperty("custom_args").GetProperty(name).GetString()!;

    public string? Header(string name) =>
        Body.TryGetProperty("headers", out var headers) && headers.TryGetProperty(name, out var value) ? value.GetString() : null;
}
