namespace Notifly.Tests.Support;

/// <summary>
/// One answer of a <see cref="WebhookReceiver"/>. <see cref="RetryAfter"/> is the raw header
/// text, so a test can send either form (delta-seconds or an HTTP-date). <see cref="Hang"/> never
/// answers: the request waits until the caller gives up or the receiver stops.
/// </summary>
public sealed record ScriptedResponse(
    int StatusCode = 200,
    string? RetryAfter = null,
    TimeSpan? Delay = null,
    bool Hang = false,
    string? Body = null)
{
    public static ScriptedResponse Hanging { get; } = new(Hang: true);
}
