using System.Text;

namespace Notifly.Tests.Support;

/// <summary>A request as a <see cref="WebhookReceiver"/> saw it; header names compare case-insensitively.</summary>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    byte[] BodyBytes,
    DateTimeOffset ReceivedAt)
{
    public string Body => Encoding.UTF8.GetString(BodyBytes);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
