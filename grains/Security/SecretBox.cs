using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Notifly.Grains.Security;

/// <summary>
/// Seals and opens tenants' secrets with AES-256-GCM (docs/0015). A sealed value carries the id
/// of its key, so keys rotate without a flag day: seal with the active key, open with whichever
/// key sealed it. The associated data binds a value to the row it belongs to (say
/// <c>provider:{id}</c>), so a ciphertext copied into another tenant's row does not open.
/// </summary>
/// <remarks>Layout: version (1) · key id length (1) · key id · nonce (12) · tag (16) · ciphertext.</remarks>
public sealed class SecretBox
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Dictionary<string, byte[]> _keys;
    private readonly string? _activeKey;

    public SecretBox(IOptions<SecretsOptions> options)
    {
        _keys = options.Value.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value), StringComparer.Ordinal);
        _activeKey = options.Value.ActiveKey;
    }

    /// <summary>False when the deployment has no key: nothing secret can be stored.</summary>
    public bool IsConfigured => _activeKey is not null;

    public string? ActiveKeyId => _activeKey;

    public byte[] Seal(string plaintext, string associatedData)
    {
        if (_activeKey is null)
        {
            throw new SecretsNotConfiguredException();
        }

        var keyId = Encoding.ASCII.GetBytes(_activeKey);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedValue = new byte[2 + keyId.Length + NonceSize + TagSize + clear.Length];
        sealedValue[0] = Version;
        sealedValue[1] = (byte)keyId.Length;
        keyId.CopyTo(sealedValue, 2);
        var rest = sealedValue.AsSpan(2 + keyId.Length);
        var nonce = rest[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_activeKey], TagSize);
        aes.Encrypt(nonce, clear, rest[(NonceSize + TagSize)..], rest.Slice(NonceSize, TagSize), Encoding.UTF8.GetBytes(associatedData));
        CryptographicOperations.ZeroMemory(clear);
        return sealedValue;
    }

    /// <summary>Opens a value sealed by <see cref="Seal"/> under any configured key.</summary>
    /// <exception cref="CryptographicException">Tampered, bound to another row, or sealed under a key no longer configured.</exception>
    public string Open(byte[] sealedValue, string associatedData)
    {
        var keyId = KeyIdOf(sealedValue) ?? throw new CryptographicException("not a sealed secret");
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"the secret was sealed with key '{keyId}', which is not in {SecretsOptions.Section}:Keys");
        }

        var rest = sealedValue.AsSpan(2 + keyId.Length);
        if (rest.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("not a sealed secret");
        }

        var clear = new byte[rest.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(rest[..NonceSize], rest[(NonceSize + TagSize)..], rest.Slice(NonceSize, TagSize), clear, Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(clear);
    }

    /// <summary>True when the value is sealed under a key other than the active one and should be re-sealed.</summary>
    public bool NeedsRewrap(byte[] sealedValue) => _activeKey is not null && KeyIdOf(sealedValue) != _activeKey;

    public static string? KeyIdOf(byte[] sealedValue) =>
        sealedValue.Length >= 2 && sealedValue[0] == Version && sealedValue.Length >= 2 + sealedValue[1]
            ? Encoding.ASCII.GetString(sealedValue, 2, sealedValue[1])
            : null;
}
