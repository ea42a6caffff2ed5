using System.Text;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>The start of an error response's body, for the delivery log.</summary>
internal static class ResponseSnippet
{
    public const int MaxChars = 500;

    /// <summary>
    /// Reads no more than a few KB: a receiver may answer an error with a huge page, or trickle it
    /// forever. A body that cannot be read yields a note instead, because the status code already
    /// decided the outcome and must not be replaced by a read error.
    /// </summary>
    public static async Task<string> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // UTF-8 needs up to 4 bytes a char.
        var buffer = new byte[MaxChars * 4];
        var filled = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (filled < buffer.Length
                && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return filled == 0 ? "(body not readable)" : Truncate(Encoding.UTF8.GetString(buffer, 0, filled));
        }

        return Truncate(Encoding.UTF8.GetString(buffer, 0, filled));
    }

    public static string Truncate(string text) =>
        text.Length <= MaxChars ? text : string.Concat(text.AsSpan(0, MaxChars), "…");
}
