using System.Security.Cryptography;

namespace Notifly.Grains.Tenants;

/// <summary>
/// API keys look like <c>nf_live_&lt;prefix&gt;.&lt;secret&gt;</c> (seed 000). The prefix finds the key
/// with one index probe; the secret is 256 random bits, so a single SHA-256 is the right hash
/// (a slow password hash buys nothing against a search space that size and costs every request).
/// </summary>
public static class ApiKeyToken
{
    public const string Scheme = "nf_live_";
    private const string PrefixAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int PrefixLength = 12;

    public static (string Token, string Prefix, byte[] Hash) Generate()
    {
        var prefix = RandomNumberGenerator.GetString(PrefixAlphabet, PrefixLength);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return ($"{Scheme}{prefix}.{secret}", prefix, Hash(secret));
    }

    public static bool TryParse(string? token, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (token is null || !token.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = token.IndexOf('.', Scheme.Length);
        if (dot != Scheme.Length + PrefixLength || dot == token.Length - 1 || token.Length > 200)
        {
            return false;
        }

        prefix = token[Scheme.Length..dot];
        secret = token[(dot + 1)..];
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    public static bool Matches(string secret, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret), expectedHash);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
