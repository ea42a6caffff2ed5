using System.Security.Cryptography;
using System.Text;
using Notifly.Grains.Channels.Email;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Email;

// Covers SendGridEventSignature: SendGrid's own test vector (the one its C#, Python, Ruby and PHP
// libraries verify against) passes, and any change to key, timestamp, body or signature, or a
// malformed input, fails without throwing; the freshness window. Not covered: the endpoint
// (SendGridReceiptTests).
public sealed class SendGridEventSignatureTests
{
    // From SendGrid's event webhook helper tests (sendgrid-csharp, sendgrid-python, …): a real
    // account's key and a dropped event it signed, compact JSON followed by CRLF as SendGrid posts it.
    private const string VectorKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    private const string VectorSignature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    private const string VectorTimestamp = "1600112502";
    private static readonly byte[] VectorBody = Encoding.UTF8.GetBytes(
        """[{"email":"hello@world.com","event":"dropped","reason":"Bounced Address","sg_event_id":"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA","sg_message_id":"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0","smtp-id":"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>","timestamp":1600112492}]""" + "\r\n");

    [Fact]
    public void Accepts_sendgrids_own_test_vector()
    {
        SendGridEventSignature.IsValid(VectorKey, VectorTimestamp, VectorBody, VectorSignature).Should().BeTrue();
        SendGridEventSignature.IsPublicKey(VectorKey).Should().BeTrue();
    }

    [Fact]
    public void Refuses_any_change_to_timestamp_body_signature_or_key()
    {
        var altered = VectorBody.ToArray();
        altered[10] ^= 1;
        var otherSignature = Convert.FromBase64String(VectorSignature);
        otherSignature[^1] ^= 1;
        using var other = new SendGridEventWebhook();

        SendGridEventSignature.IsValid(VectorKey, "1600112503", VectorBody, VectorSignature).Should().BeFalse();
        SendGridEventSignature.IsValid(VectorKey, VectorTimestamp, altered, VectorSignature).Should().BeFalse();
        SendGridEventSignature.IsValid(VectorKey, VectorTimestamp, VectorBody[..^2], VectorSignature).Should().BeFalse("the CRLF is signed too");
        SendGridEventSignature.IsValid(VectorKey, VectorTimestamp, VectorBody, Convert.ToBase64String(otherSignature)).Should().BeFalse();
        SendGridEventSignature.IsValid(other.PublicKey, VectorTimestamp, VectorBody, VectorSignature).Should().BeFalse();
    }

    [Theory]
    [InlineData(VectorKey, VectorTimestamp, "")]
    [InlineData(VectorKey, VectorTimestamp, "not base64!")]
    [InlineData(VectorKey, VectorTimestamp, "AAAA")]
    [InlineData(VectorKey, "", VectorSignature)]
    [InlineData("", VectorTimestamp, VectorSignature)]
    [InlineData("not a key", VectorTimestamp, VectorSignature)]
    [InlineData("AAAA", VectorTimestamp, VectorSignature)]
    public void Malformed_input_is_not_valid_and_does_not_throw(string key, string timestamp, string signature) =>
        SendGridEventSignature.IsValid(key, timestamp, VectorBody, signature).Should().BeFalse();

    [Fact]
    public void Checks_a_signature_made_with_a_fresh_key_pair_and_refuses_the_ieee_p1363_form()
    {
        using var webhook = new SendGridEventWebhook();
        var body = SendGridEventWebhook.Body(new { @event = "delivered", sg_message_id = "abc.filter" });

        SendGridEventSignature.IsValid(webhook.PublicKey, "1700000000", body, webhook.Sign("1700000000", body)).Should().BeTrue();

        // The same signature as r||s instead of a DER sequence is not what SendGrid sends.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        var p1363 = key.SignData([.. Encoding.UTF8.GetBytes("1700000000"), .. body], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        SendGridEventSignature.IsValid(publicKey, "1700000000", body, Convert.ToBase64String(p1363)).Should().BeFalse();
    }

    [Fact]
    public void Accepts_only_p256_public_keys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);

        SendGridEventSignature.IsPublicKey(Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo())).Should().BeFalse();
        SendGridEventSignature.IsPublicKey(Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())).Should().BeFalse();
        SendGridEventSignature.IsPublicKey("not base64").Should().BeFalse();
    }

    [Fact]
    public void A_timestamp_is_fresh_within_ten_minutes_either_way()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        SendGridEventSignature.IsFresh("1700000000", now).Should().BeTrue();
        SendGridEventSignature.IsFresh("1699999400", now).Should().BeTrue("exactly ten minutes old");
        SendGridEventSignature.IsFresh("1699999399", now).Should().BeFalse();
        SendGridEventSignature.IsFresh("1700000600", now).Should().BeTrue();
        SendGridEventSignature.IsFresh("1700000601", now).Should().BeFalse("a clock far ahead is not SendGrid's");
        SendGridEventSignature.IsFresh("", now).Should().BeFalse();
        SendGridEventSignature.IsFresh("-5", now).Should().BeFalse();
        SendGridEventSignature.IsFresh("99999999999999999999", now).Should().BeFalse();
        SendGridEventSignature.IsFresh("1700000000.5", now).Should().BeFalse();
    }
}
