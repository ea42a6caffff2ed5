using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using Microsoft.Extensions.Options;
using Notifly.Grains.Security;
using Xunit;

namespace Notifly.Tests.Security;

public sealed class SecretBoxTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    private static SecretBox Box(string active, params (string Id, string Key)[] keys) =>
        new(Options.Create(new SecretsOptions { Keys = keys.ToDictionary(k => k.Id, k => k.Key), ActiveKey = active }));

    [Fact]
    public void A_sealed_secret_opens_with_the_same_associated_data_and_hides_the_plaintext()
    {
        var box = Box("a", ("a", KeyA));
        var sealedValue = box.Seal("sk_live_very_secret", "provider:1");

        Encoding.UTF8.GetString(sealedValue).Should().NotContain("very_secret");
        box.Open(sealedValue, "provider:1").Should().Be("sk_live_very_secret");
        SecretBox.KeyIdOf(sealedValue).Should().Be("a");
        box.Seal("sk_live_very_secret", "provider:1").Should().NotEqual(sealedValue, "every seal uses a fresh nonce");
    }

    [Fact]
    public void A_secret_moved_to_another_row_or_tampered_with_does_not_open()
    {
        var box = Box("a", ("a", KeyA));
        var sealedValue = box.Seal("token", "provider:1");

        box.Invoking(b => b.Open(sealedValue, "provider:2")).Should().Throw<CryptographicException>();
        var tampered = (byte[])sealedValue.Clone();
        tampered[^1] ^= 1;
        box.Invoking(b => b.Open(tampered, "provider:1")).Should().Throw<CryptographicException>();
        box.Invoking(b => b.Open([1, 2, 3], "provider:1")).Should().Throw<CryptographicException>();
    }

    [Fact]
    public void After_rotation_old_values_open_and_are_flagged_for_resealing_under_the_new_key()
    {
        var before = Box("a", ("a", KeyA));
        var old = before.Seal("token", "endpoint:9");

        var rotated = Box("b", ("a", KeyA), ("b", KeyB));
        rotated.Open(old, "endpoint:9").Should().Be("token");
        rotated.NeedsRewrap(old).Should().BeTrue();
        var resealed = rotated.Seal("token", "endpoint:9");
        rotated.NeedsRewrap(resealed).Should().BeFalse();
        SecretBox.KeyIdOf(resealed).Should().Be("b");

        var oldKeyRemoved = Box("b", ("b", KeyB));
        oldKeyRemoved.Invoking(b => b.Open(old, "endpoint:9")).Should().Throw<CryptographicException>().WithMessage("*'a'*");
    }

    [Fact]
    public void Without_a_key_nothing_can_be_sealed()
    {
        var box = new SecretBox(Options.Create(new SecretsOptions()));
        box.IsConfigured.Should().BeFalse();
        box.Invoking(b => b.Seal("x", "provider:1")).Should().Throw<SecretsNotConfiguredException>();
    }

    [Theory]
    [InlineData("a", "c2hvcnQ=", "*32 bytes*")]
    [InlineData("bad id!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "*key id*")]
    public void Bad_keys_are_refused_without_echoing_them(string id, string key, string message)
    {
        var options = new SecretsOptions { Keys = new() { [id] = key }, ActiveKey = id };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        errors.Should().ContainSingle().Which.ErrorMessage.Should().Match(message).And.NotContain(key);
    }
}
