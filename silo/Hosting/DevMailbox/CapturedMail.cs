namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>
/// One message the local mailbox caught: the raw bytes as received (shown parsed on request) and
/// what its list needs, read once on arrival.
/// </summary>
/// <param name="EnvelopeFrom">MAIL FROM; empty for the null sender.</param>
/// <param name="EnvelopeTo">RCPT TO, in order.</param>
/// <param name="From">The From header, or the envelope sender when it has none.</param>
/// <param name="To">The To header's addresses, or the envelope recipients when it has none.</param>
/// <param name="Preview">The start of the text body (or of the HTML body's text), whitespace collapsed.</param>
public sealed record CapturedMail(
    string Id,
    DateTimeOffset ReceivedAt,
    string EnvelopeFrom,
    IReadOnlyList<string> EnvelopeTo,
    string From,
    IReadOnlyList<string> To,
    string Subject,
    string Preview,
    byte[] Raw);
