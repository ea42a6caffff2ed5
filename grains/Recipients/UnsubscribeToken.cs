using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Recipients;

/// <summary>
/// The token of a one-click unsubscribe link: tenant, user, channel and event type in the clear,
/// then an HMAC-SHA256 over them with the tenant's unsubscribe key (tenants.unsubscribe_key,
/// never shown to anyone). Nothing is stored per email; a token cannot be forged or altered
/// without the key, and it does not expire (RFC 8058 links must keep working).
/// </summary>
public sealed record UnsubscribeToken(Guid TenantId, string UserId, Channel Channel, string EventType)
{
    private const int MacLength = 16; // 128 bits: forging one is out of reach, and the URL stays short

    public string Sign(byte[] key)
    {
        var payload = Payload();
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(key, payload)[..MacLength])}";
    }

    /// <summary>Reads a token without checking it: the tenant it names says whose key to check it with (<see cref="Verify"/>).</summary>
    public static UnsubscribeToken? Read(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !TryBase64Url(token[..dot], out var payload) || payload.Length < 19)
        {
            return null;
        }

        var userLength = BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(17));
        if (payload.Length < 19 + userLength || !Enum.IsDefined((Channel)payload[16]))
        {
            return null;
        }

        try
        {
            var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
            return new UnsubscribeToken(new Guid(payload.AsSpan(0, 16)), utf8.GetString(payload, 19, userLength), (Channel)payload[16],
                utf8.GetString(payload, 19 + userLength, payload.Length - 19 - userLength));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public bool Verify(string token, byte[] key) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token), Encoding.ASCII.GetBytes(Sign(key)));

    private byte[] Payload()
    {
        var user = Encoding.UTF8.GetBytes(UserId);
        var eventType = Encoding.UTF8.GetBytes(EventType);
        var payload = new byte[19 + user.Length + eventType.Length];
        TenantId.TryWriteBytes(payload.AsSpan(0, 16));
        payload[16] = (byte)Channel;
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(17), (ushort)user.Length);
        user.CopyTo(payload, 19);
        eventType.CopyTo(payload, 19 + user.Length);
        return payload;
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static bool TryBase64Url(string text, out byte[] bytes)
    {
        bytes = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length)];
        if (System.Buffers.Text.Base64Url.TryDecodeFromChars(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
