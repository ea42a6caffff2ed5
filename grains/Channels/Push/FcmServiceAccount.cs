using System.Security.Cryptography;
using System.Text.Json;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// The fields of a Google service-account key Notifly uses. A class, not a record: a record's
/// generated ToString would print the private key into whatever logs it.
/// </summary>
public sealed class FcmServiceAccount
{
    private FcmServiceAccount(string projectId, string clientEmail, string privateKeyPem, Uri tokenUri)
    {
        ProjectId = projectId;
        ClientEmail = clientEmail;
        PrivateKeyPem = privateKeyPem;
        TokenUri = tokenUri;
    }

    public string ProjectId { get; }

    public string ClientEmail { get; }

    /// <summary>PKCS#8 PEM. A secret: never logged, never in an outcome.</summary>
    internal string PrivateKeyPem { get; }

    public Uri TokenUri { get; }

    /// <summary>
    /// Parses and checks a key file's content; the <see cref="FormatException"/> names
    /// <paramref name="setting"/> and the missing field, never the key material.
    /// </summary>
    public static FcmServiceAccount Parse(string json, string setting)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // The parser's message can quote the text around the error: the key, perhaps.
            throw new FormatException($"{setting}: not a JSON service-account key.");
        }

        string Field(string name) =>
            root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
                ? value.GetString()!
                : throw new FormatException($"{setting}: the service-account key has no '{name}'.");

        var projectId = Field("project_id");
        var clientEmail = Field("client_email");
        var privateKey = Field("private_key");
        var tokenUriText = Field("token_uri");
        if (!Uri.TryCreate(tokenUriText, UriKind.Absolute, out var tokenUri)
            || (tokenUri.Scheme != Uri.UriSchemeHttps && tokenUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException($"{setting}: the service-account key's 'token_uri' is not an absolute http(s) URL.");
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(privateKey);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new FormatException($"{setting}: the service-account key's 'private_key' is not an RSA private key in PEM.");
        }

        return new FcmServiceAccount(projectId, clientEmail, privateKey, tokenUri);
    }

    public override string ToString() => $"{ClientEmail} ({ProjectId})";
}
