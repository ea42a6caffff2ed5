namespace Notifly.Tests.Support;

/// <summary>A message as an <see cref="SmtpSink"/> stored it: the raw text, unfolded and decoded headers, decoded body.</summary>
public sealed record ReceivedEmail(
    string FileName,
    string Raw,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public string? To => Header("To");

    public string? Subject => Header("Subject");

    public string? MessageId => Header("Message-ID");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public static ReceivedEmail Parse(string fileName, string raw)
    {
        var text = raw.ReplaceLineEndings("\r\n");
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? "" : text[(split + 4)..];

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // A line that starts with whitespace continues the header above it (RFC 5322 §2.2.3).
        var unfolded = head.Replace("\r\n ", " ", StringComparison.Ordinal).Replace("\r\n\t", " ", StringComparison.Ordinal);
        foreach (var line in unfolded.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.TryAdd(line[..colon].Trim(), MimeText.DecodeHeader(line[(colon + 1)..].Trim()));
            }
        }

        headers.TryGetValue("Content-Transfer-Encoding", out var encoding);
        return new ReceivedEmail(fileName, raw, headers, MimeText.DecodeBody(body, encoding));
    }
}
