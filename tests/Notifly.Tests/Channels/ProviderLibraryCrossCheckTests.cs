// Our own signing and verifying code checked by the providers' own libraries (test-only
// dependencies, docs/0030): what we sign, theirs verifies; what they sign, ours verifies; and
// Google's own client passes the token endpoint our FCM assertions are tested against.
using Microsoft.AspNetCore.Http;
using System.Security.Cryptography;
using System.Text;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Channels.Sms;
using Notifly.Grains.Channels.Webhook;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels;

public sealed class ProviderLibraryCrossCheckTests
{
    private const string Body = """{"type":"notification.sent","data":{"requestId":"0194","status":"SENT","subject":"Grüße"}}""";

    [Fact]
    public void Our_standard_webhook_signatures_verify_with_the_standard_webhooks_library_and_theirs_with_ours()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var now = DateTimeOffset.UtcNow;
        var library = new StandardWebhooks.StandardWebhook(secret);

        var ours = StandardWebhookSigner.Sign(secret, "msg_1", now.ToUnixTimeSeconds(), Body);
        var verify = () => library.Verify(Body, Headers("msg_1", now, ours));
        verify.Should().NotThrow();
        var tampered = () => library.Verify(Body.Replace("SENT", "FAILED", StringComparison.Ordinal), Headers("msg_1", now, ours));
        tampered.Should().Throw<Exception>().Which.GetType().Name.Should().Be("WebhookVerificationException");

        var theirs = library.Sign("msg_2", now, Body);
        StandardWebhookSigner.Verify(secret, "msg_2", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Encoding.UTF8.GetBytes(Body), theirs, TimeSpan.FromMinutes(5), now).Should().BeTrue();
    }

    [Theory]
    [InlineData("https://notifly.example.com/api/providers/twilio/callbacks/status")]
    [InlineData("https://notifly.example.com:8443/api/providers/twilio/callbacks/status/0194?x=1&y=2")]
    public void Our_twilio_signatures_match_twilios_request_validator(string url)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var parameters = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["MessageStatus"] = "delivered",
            ["To"] = "+15558675310",
            ["ErrorCode"] = "",
            ["Body"] = "Grüße & <tags>",
        };
        var validator = new Twilio.Security.RequestValidator(token);

        var ours = TwilioSignature.Compute(token, url, parameters);
        validator.Validate(url, parameters, ours).Should().BeTrue();
        validator.Validate(url, parameters, TwilioSignature.Compute(token + "x", url, parameters)).Should().BeFalse();
        TwilioSignature.IsValid(token, url, parameters, ours).Should().BeTrue();
    }

    [Fact]
    public void Sendgrid_event_signatures_verify_alike_with_sendgrids_library_and_ours()
    {
        using var webhook = new SendGridEventWebhook();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var payload = """[{"email":"ada@example.com","event":"delivered","sg_message_id":"abc.1","timestamp":1}]""" + "\r\n";
        var signature = webhook.Sign(timestamp, Encoding.UTF8.GetBytes(payload));
        var library = new SendGrid.Helpers.EventWebhook.RequestValidator();
        var key = library.ConvertPublicKeyToECDSA(webhook.PublicKey);

        library.VerifySignature(key, payload, signature, timestamp).Should().BeTrue();
        SendGridEventSignature.IsValid(webhook.PublicKey, timestamp, Encoding.UTF8.GetBytes(payload), signature).Should().BeTrue();
        library.VerifySignature(key, payload.Replace("delivered", "bounce", StringComparison.Ordinal), signature, timestamp).Should().BeFalse();
        SendGridEventSignature.IsValid(webhook.PublicKey, timestamp, Encoding.UTF8.GetBytes(payload.Replace("delivered", "bounce", StringComparison.Ordinal)), signature)
            .Should().BeFalse();
    }

    [Fact]
    public async Task Googles_own_client_gets_a_token_from_the_fake_fcm_whose_checks_our_assertions_pass()
    {
        // FakeFcm's token endpoint checks an assertion as Google documents it, and FcmPushSenderTests
        // shows ours passes. Google's own client passing the same checks says the fake asks no more
        // and no less than Google does.
        await using var fcm = await FakeFcm.StartAsync();
        var google = Google.Apis.Auth.OAuth2.CredentialFactory.FromJson<Google.Apis.Auth.OAuth2.ServiceAccountCredential>(fcm.ServiceAccountJson)
            .ToGoogleCredential().CreateScoped(FcmAccessTokens.Scope);

        var token = await google.UnderlyingCredential.GetAccessTokenForRequestAsync();

        fcm.Problems.Should().BeEmpty();
        fcm.IssuedTokens.Should().Contain(token);
    }

    private static HeaderDictionary Headers(string id, DateTimeOffset at, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };
}
