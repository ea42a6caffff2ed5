using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>
/// HMAC-SHA256 signatures in the Standard Webhooks format (standardwebhooks.com), so a receiver
/// can verify our calls with any of that project's libraries instead of code of ours.
/// </summary>
public static class StandardWebhookSigner
{
    public const string SecretPrefix = "whsec_";
    public const string SignatureVersion = "v1";

    // The spec asks for at least 24 bytes (192 bits).
    private const int SecretBytes = 24;

    public static string GenerateSecret() =>
        SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>Returns one <c>v1,&lt;base64&gt;</c> entry for the <c>webhook-signature</c> header.</summary>
    /// <exception cref="FormatException">The secret is not <c>whsec_</c> followed by base64.</exception>
    public static string Sign(string secret, string webhookId, long timestampSeconds, ReadOnlySpan<byte> body)
    {
        var timestamp = timestampSeconds.ToString(CultureInfo.InvariantCulture);
        return $"{SignatureVersion},{Convert.ToBase64String(ComputeHmac(DecodeSecret(secret), webhookId, timestamp, body))}";
    }

    public static string Sign(string secret, string webhookId, long timestampSeconds, string body) =>
        Sign(secret, webhookId, timestampSeconds, Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// True when the timestamp lies within <paramref name="tolerance"/> of <paramref name="now"/>
    /// (either side: a timestamp from the future is as suspect as a replayed one) and one of the
    /// space-separated <c>v1</c> entries matches. <paramref name="timestamp"/> is the header text
    /// as received, because that text, not a re-formatted number, is what was signed.
    /// </summary>
    public static bool Verify(
        string secret,
        string webhookId,
        string timestamp,
        ReadOnlySpan<byte> body,
        string signatureHeader,
        TimeSpan tolerance,
        DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > (long)tolerance.TotalSeconds)
        {
            return false;
        }

        if (!TryDecodeSecret(secret, out var key))
        {
            return false;
        }

        var expected = ComputeHmac(key, webhookId, timestamp, body);
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !entry.AsSpan(0, comma).SequenceEqual(SignatureVersion))
            {
                // Other schemes (v1a, ed25519) may sit beside ours during a migration.
                continue;
            }

            var candidate = new byte[expected.Length];
            if (Convert.TryFromBase64String(entry[(comma + 1)..], candidate, out var written)
                && written == expected.Length
                && CryptographicOperations.FixedTimeEquals(candidate, expected))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Verify(
        string secret,
        string webhookId,
        string timestamp,
        string body,
        string signatureHeader,
        TimeSpan tolerance,
        DateTimeOffset now) =>
        Verify(secret, webhookId, timestamp, Encoding.UTF8.GetBytes(body), signatureHeader, tolerance, now);

    internal static byte[] DecodeSecret(string secret) =>
        TryDecodeSecret(secret, out var key)
            ? key
            : throw new FormatException($"A webhook secret must be '{SecretPrefix}' followed by base64 key bytes.");

    private static bool TryDecodeSecret(string secret, out byte[] key)
    {
        key = [];
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = secret[SecretPrefix.Length..];
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, buffer, out var written) || written == 0)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }

    private static byte[] ComputeHmac(byte[] key, string webhookId, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
