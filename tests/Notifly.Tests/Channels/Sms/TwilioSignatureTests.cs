using Notifly.Grains.Channels.Sms;

namespace Notifly.Tests.Channels.Sms;

// Twilio's request signature (docs/0014): the worked example from Twilio's "Validating
// requests" docs, and what a forger might change. Not covered: the endpoint (ReceiptTests).
public sealed class TwilioSignatureTests
{
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";

    // Listed out of order on purpose: the signature sorts them by name.
    private static readonly KeyValuePair<string, string>[] Parameters =
    [
        new("To", "+18005551212"),
        new("From", "+14158675310"),
        new("Digits", "1234"),
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+14158675310"),
    ];

    [Fact]
    public void Matches_the_example_in_twilios_docs()
    {
        TwilioSignature.Compute(Token, Url, Parameters).Should().Be("GvWf1cFY/Q7PnoempGyD5oXAezc=");
        TwilioSignature.IsValid(Token, Url, Parameters, "GvWf1cFY/Q7PnoempGyD5oXAezc=").Should().BeTrue();
    }

    [Fact]
    public void Rejects_a_missing_signature_or_one_for_another_url_token_or_body()
    {
        var good = TwilioSignature.Compute(Token, Url, Parameters);
        TwilioSignature.IsValid(Token, Url, Parameters, null).Should().BeFalse();
        TwilioSignature.IsValid(Token, Url, Parameters, "").Should().BeFalse();
        TwilioSignature.IsValid(Token, "https://mycompany.com/myapp.php?foo=1&bar=3", Parameters, good).Should().BeFalse();
        TwilioSignature.IsValid("54321", Url, Parameters, good).Should().BeFalse();
        TwilioSignature.IsValid(Token, Url, [.. Parameters[..4], new("Caller", "+14158675311")], good).Should().BeFalse();
        TwilioSignature.IsValid(Token, Url, [.. Parameters, new("MessageStatus", "delivered")], good).Should().BeFalse();
    }
}
