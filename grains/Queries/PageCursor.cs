using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Notifly.Grains.Queries;

/// <summary>
/// Where a keyset page ended: the (created_at, id) of its last row. Clients see it only as the
/// opaque <c>nextCursor</c> string, which also names the list that issued it, so a cursor from
/// another list, or one edited by hand, is refused instead of silently paging from somewhere else.
/// </summary>
public readonly record struct PageCursor(DateTimeOffset CreatedAt, Guid Id)
{
    // A cursor is under 70 bytes; anything longer is not ours and is not worth decoding.
    private const int MaxBytes = 96;

    public string Encode(PagedList list) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{Tag(list)}:{CreatedAt.UtcTicks}:{Id:N}")));

    /// <summary>True only for a string <see cref="Encode"/> gave for <paramref name="list"/>.</summary>
    public static bool TryParse(string? text, PagedList list, out PageCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > Base64Url.GetEncodedLength(MaxBytes)
            || !Base64Url.IsValid(text, out var length) || length > MaxBytes)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[MaxBytes];
        var parts = Encoding.UTF8.GetString(bytes[..Base64Url.DecodeFromChars(text, bytes)]).Split(':');
        if (parts is not [var tag, var ticksText, var idText] || tag != Tag(list)
            || !long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(idText, "N", out var id))
        {
            return false;
        }

        var parsed = new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        // Decoding tolerates padding, whitespace and leading zeros; only the exact string we issue counts.
        if (parsed.Encode(list) != text)
        {
            return false;
        }

        cursor = parsed;
        return true;
    }

    // Part of the wire format: renaming a list must not change its tag, or open cursors break.
    private static string Tag(PagedList list) => list switch
    {
        PagedList.Notifications => "notifications",
        PagedList.DeadLetters => "dlq",
        PagedList.WebhookDeliveries => "webhook-deliveries",
        PagedList.Tenants => "tenants",
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, null),
    };
}
