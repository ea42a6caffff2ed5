using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// SendGrid's Signed Event Webhook: <c>X-Twilio-Email-Event-Webhook-Signature</c> is Base64 of an
/// ECDSA P-256 / SHA-256 signature (DER sequence) over the <c>X-Twilio-Email-Event-Webhook-Timestamp</c>
/// value followed by the raw request body, made with the account's private key; the account's
/// settings show the public key. SendGrid's "Event Webhook Security Features" docs; docs/0016.
/// </summary>
public static class SendGridEventSignature
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

    /// <summary>
    /// How far a signed timestamp may be from our clock, either way. SendGrid documents no window;
    /// a captured request replayed after this is refused. Ten minutes covers clock skew and a slow
    /// queue on SendGrid's side, and a retry SendGrid signs again gets a fresh timestamp.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Whether <paramref name="signature"/> is the key holder's over timestamp + body. Malformed input is simply not valid.</summary>
    public static bool IsValid(string publicKeyBase64, string timestamp, ReadOnlySpan<byte> body, string signature)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        using var key = Import(publicKeyBase64);
        if (key is null)
        {
            return false;
        }

        var signatureBytes = new byte[(signature.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(signature, signatureBytes, out var length))
        {
            return false;
        }

        var data = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, data);
        body.CopyTo(data.AsSpan(written));
        try
        {
            return key.VerifyData(data, signatureBytes.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether the signed timestamp (Unix seconds) is within <see cref="MaxAge"/> of <paramref name="now"/>.</summary>
    public static bool IsFresh(string timestamp, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        return (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() <= MaxAge;
    }

    /// <summary>Whether the setting holds an ECDSA P-256 public key SendGrid could have issued.</summary>
    public static bool IsPublicKey(string publicKeyBase64)
    {
        using var key = Import(publicKeyBase64);
        return key is not null;
    }

    private static ECDsa? Import(string publicKeyBase64)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKeyBase64.Trim()), out _);
            if (ecdsa.KeySize == 256)
            {
                return ecdsa;
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
        }

        ecdsa.Dispose();
        return null;
    }
}
