using System.Text;
using System.Text.RegularExpressions;

namespace Notifly.Tests.Support;

/// <summary>
/// Just enough MIME decoding for tests to read what SmtpClient encoded: RFC 2047 encoded words in
/// headers, quoted-printable and base64 bodies. Everything is assumed to be UTF-8.
/// </summary>
public static partial class MimeText
{
    public static string DecodeHeader(string value) =>
        // Whitespace between two adjacent encoded words belongs to neither (RFC 2047 §6.2).
        EncodedWord().Replace(AdjacentEncodedWords().Replace(value, "?==?"), match =>
        {
            var text = match.Groups["text"].Value;
            var bytes = match.Groups["encoding"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(text)
                : DecodeQuotedPrintable(text.Replace('_', ' '));
            return Encoding.UTF8.GetString(bytes);
        });

    public static string DecodeBody(string body, string? transferEncoding) =>
        transferEncoding?.Trim().ToLowerInvariant() switch
        {
            "quoted-printable" => Encoding.UTF8.GetString(DecodeQuotedPrintable(body)),
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(body.ReplaceLineEndings(""))),
            _ => body,
        };

    private static byte[] DecodeQuotedPrintable(string text)
    {
        var unwrapped = text.Replace("=\r\n", "", StringComparison.Ordinal).Replace("=\n", "", StringComparison.Ordinal);
        var bytes = new List<byte>(unwrapped.Length);
        for (var i = 0; i < unwrapped.Length; i++)
        {
            if (unwrapped[i] == '=' && i + 2 < unwrapped.Length && Uri.IsHexDigit(unwrapped[i + 1]) && Uri.IsHexDigit(unwrapped[i + 2]))
            {
                bytes.Add(Convert.ToByte(unwrapped.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(unwrapped.Substring(i, 1)));
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex(@"=\?[^?]+\?(?<encoding>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"\?=(\s+)=\?")]
    private static partial Regex AdjacentEncodedWords();
}
