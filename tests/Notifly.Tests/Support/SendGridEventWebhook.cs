using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Notifly.Tests.Support;

/// <summary>
/// SendGrid's side of the Signed Event Webhook: an ECDSA P-256 key pair made for the test, the
/// public half Base64 DER as SendGrid's settings show it, and signatures made the way SendGrid
/// documents them — SHA-256, DER, over the timestamp header's value followed by the raw body.
/// </summary>
public sealed class SendGridEventWebhook : IDisposable
{
    public const string Path = "/api/providers/sendgrid/callbacks/events";

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string PublicKey => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    public static string Timestamp(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] Body(params object[] events) => JsonSerializer.SerializeToUtf8Bytes(events);

    public string Sign(string timestamp, byte[] body) =>
        Convert.ToBase64String(key.SignData([.. Encoding.UTF8.GetBytes(timestamp), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>A POST of <paramref name="body"/> with the given headers; null leaves a header out.</summary>
    public static HttpRequestMessage Request(byte[] body, string? timestamp, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (timestamp is not null)
        {
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        }

        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", signature);
        }

        return request;
    }

    /// <summary>Signed now, as SendGrid would post it.</summary>
    public HttpRequestMessage Signed(byte[] body, DateTimeOffset? at = null)
    {
        var timestamp = Timestamp(at ?? DateTimeOffset.UtcNow);
        return Request(body, timestamp, Sign(timestamp, body));
    }

    /// <summary>One event as SendGrid posts it: its sg_message_id extends the X-Message-Id, custom args at top level.</summary>
    public static Dictionary<string, object> Event(string name, string messageId, Guid notificationId, Guid tenantId, string email,
        params (string Key, object Value)[] extra)
    {
        var e = new Dictionary<string, object>
        {
            ["email"] = email,
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["smtp-id"] = $"<{messageId}@ismtpd0001p1iad1.sendgrid.net>",
            ["event"] = name,
            ["sg_event_id"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray()),
            ["sg_message_id"] = $"{messageId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
            ["notification_id"] = notificationId.ToString(),
            ["tenant_id"] = tenantId.ToString(),
        };
        foreach (var (key, value) in extra)
        {
            e[key] = value;
        }

        return e;
    }

    public void Dispose() => key.Dispose();
}
