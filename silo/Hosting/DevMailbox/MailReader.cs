using System.Text;
using MimeKit;
using MimeKit.Text;

namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>Reads captured bytes as MIME (MimeKit): the list's fields on arrival, the whole message on request.</summary>
public static class MailReader
{
    public const int PreviewLength = 160;

    public static CapturedMail Capture(
        string id, DateTimeOffset receivedAt, string envelopeFrom, IReadOnlyList<string> envelopeTo, byte[] raw)
    {
        ArgumentNullException.ThrowIfNull(envelopeTo);
        ArgumentNullException.ThrowIfNull(raw);
        var message = Parse(raw, CancellationToken.None);
        var text = message.TextBody ?? (message.HtmlBody is { } html ? TextOfHtml(html) : string.Empty);
        return new CapturedMail(
            id, receivedAt, envelopeFrom, envelopeTo,
            From: message.From.Count > 0 ? message.From.ToString() : envelopeFrom,
            To: message.To.Count > 0 ? [.. message.To.Mailboxes.Select(m => m.Address)] : envelopeTo,
            Subject: message.Subject ?? string.Empty,
            Preview: Preview(text),
            Raw: raw);
    }

    public static MailDetail Detail(CapturedMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var message = Parse(mail.Raw, cancellationToken);
        return new MailDetail(
            mail.Id, mail.ReceivedAt, new MailEnvelope(mail.EnvelopeFrom, mail.EnvelopeTo), mail.From, mail.To, mail.Subject,
            [.. message.Headers.Select(h => new MailHeader(h.Field, h.Value))],
            message.TextBody,
            message.HtmlBody);
    }

    /// <summary>The readable text of an HTML body, for a preview: tags and scripts dropped, entities decoded.</summary>
    public static string TextOfHtml(string html)
    {
        var text = new StringBuilder();
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        var hidden = false;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken { Id: HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head } tag:
                    hidden = !tag.IsEndTag && !tag.IsEmptyElement;
                    break;
                case HtmlTagToken:
                    text.Append(' '); // "<p>a</p><p>b</p>" reads "a b", not "ab"
                    break;
                case HtmlDataToken data when !hidden:
                    text.Append(data.Data);
                    break;
            }
        }

        return text.ToString();
    }

    private static MimeMessage Parse(byte[] raw, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(raw, writable: false);
        // MimeKit is lenient: bytes without any header still load, as a message with an empty body.
        return MimeMessage.Load(stream, cancellationToken);
    }

    private static string Preview(string text)
    {
        var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length <= PreviewLength ? collapsed : string.Concat(collapsed.AsSpan(0, PreviewLength - 1), "…");
    }
}
