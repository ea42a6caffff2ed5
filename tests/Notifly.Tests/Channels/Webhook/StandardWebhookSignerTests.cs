using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Tests.Channels.Webhook;

// Covers StandardWebhookSigner on its own: interoperable signatures (the spec's published vector
// and an independent HMAC), and what Verify refuses. Not covered: the headers an actual call
// carries, which WebhookSenderTests checks against a real receiver.
public sealed class StandardWebhookSignerTests
{
    private const string Id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
    private const string Body = """{"type":"contact.created","data":{"id":"1f81eb52"}}""";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void Reproduces_the_published_standard_webhooks_test_vector()
    {
        // The vector the Standard Webhooks reference libraries test against: matching it is what
        // says their verifiers accept our signatures.
        var signature = StandardWebhookSigner.Sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}""");

        signature.Should().Be("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    [Fact]
    public void Signs_id_timestamp_and_body_joined_by_dots_with_hmac_sha256()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var secret = "whsec_" + Convert.ToBase64String(key);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Id}.1700000000.{Body}")));

        StandardWebhookSigner.Sign(secret, Id, 1_700_000_000, Body).Should().Be($"v1,{expected}");
    }

    [Fact]
    public void Verifies_its_own_signature()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var header = StandardWebhookSigner.Sign(secret, Id, Now.ToUnixTimeSeconds(), Body);

        Verify(secret, Now.ToUnixTimeSeconds(), Body, header).Should().BeTrue();
    }

    [Fact]
    public void Rejects_a_tampered_body()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var header = StandardWebhookSigner.Sign(secret, Id, Now.ToUnixTimeSeconds(), Body);

        Verify(secret, Now.ToUnixTimeSeconds(), Body.Replace("1f81eb52", "1f81eb53", StringComparison.Ordinal), header)
            .Should().BeFalse();
    }

    [Fact]
    public void Rejects_a_signature_made_with_another_secret()
    {
        var header = StandardWebhookSigner.Sign(StandardWebhookSigner.GenerateSecret(), Id, Now.ToUnixTimeSeconds(), Body);

        Verify(StandardWebhookSigner.GenerateSecret(), Now.ToUnixTimeSeconds(), Body, header).Should().BeFalse();
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Rejects_a_timestamp_outside_the_tolerance_even_when_correctly_signed(int offsetSeconds)
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var timestamp = Now.ToUnixTimeSeconds() + offsetSeconds;
        var header = StandardWebhookSigner.Sign(secret, Id, timestamp, Body);

        Verify(secret, timestamp, Body, header).Should().BeFalse();
    }

    [Fact]
    public void Accepts_a_timestamp_at_the_edge_of_the_tolerance()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var timestamp = Now.ToUnixTimeSeconds() - 300;
        var header = StandardWebhookSigner.Sign(secret, Id, timestamp, Body);

        Verify(secret, timestamp, Body, header).Should().BeTrue();
    }

    [Fact]
    public void Accepts_a_header_with_several_signatures_when_one_matches()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var timestamp = Now.ToUnixTimeSeconds();
        var old = StandardWebhookSigner.Sign(StandardWebhookSigner.GenerateSecret(), Id, timestamp, Body);
        var current = StandardWebhookSigner.Sign(secret, Id, timestamp, Body);
        var asymmetric = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";

        Verify(secret, timestamp, Body, $"{old} {asymmetric} v1,not-base64! {current}").Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1,")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void Rejects_a_header_without_a_matching_v1_signature(string header)
    {
        Verify(StandardWebhookSigner.GenerateSecret(), Now.ToUnixTimeSeconds(), Body, header).Should().BeFalse();
    }

    [Fact]
    public void Rejects_a_timestamp_that_is_not_unix_seconds()
    {
        var secret = StandardWebhookSigner.GenerateSecret();
        var header = StandardWebhookSigner.Sign(secret, Id, Now.ToUnixTimeSeconds(), Body);

        StandardWebhookSigner.Verify(secret, Id, "2023-11-14T22:13:20Z", Body, header, Tolerance, Now).Should().BeFalse();
    }

    [Fact]
    public void Generates_distinct_secrets_of_24_random_bytes()
    {
        var first = StandardWebhookSigner.GenerateSecret();
        var second = StandardWebhookSigner.GenerateSecret();

        first.Should().StartWith("whsec_").And.NotBe(second);
        Convert.FromBase64String(first["whsec_".Length..]).Should().HaveCount(24);
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    public void Refuses_to_sign_with_a_malformed_secret(string secret)
    {
        var sign = () => StandardWebhookSigner.Sign(secret, Id, 1, Body);

        sign.Should().Throw<FormatException>();
    }

    private static bool Verify(string secret, long timestamp, string body, string header) =>
        StandardWebhookSigner.Verify(secret, Id, timestamp.ToString(CultureInfo.InvariantCulture), body, header, Tolerance, Now);
}
