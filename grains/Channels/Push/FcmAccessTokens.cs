using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// OAuth2 access tokens for FCM from a service account (RFC 7523 JWT bearer grant), cached
/// until shortly before they expire. One exchange at a time: senders that find the cache empty
/// together wait for the same token instead of each asking for one.
/// </summary>
public sealed partial class FcmAccessTokens(
    HttpClient httpClient, FcmServiceAccount account, TimeProvider timeProvider, ILogger<FcmAccessTokens> logger)
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    /// <summary>
    /// The assertion's audience, whatever the key's <c>token_uri</c> (where it is posted): Google
    /// documents it as always this, and its own client sends this.
    /// </summary>
    public const string Audience = "https://oauth2.googleapis.com/token";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim refresh = new(1, 1);
    private volatile CachedToken? cached;

    public string ProjectId => account.ProjectId;

    /// <summary>A token valid for a while yet; <see cref="FcmTokenException"/> when Google will not give one.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (cached is { } token && token.IsFreshAt(timeProvider.GetUtcNow()))
        {
            return token.Value;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (cached is { } other && other.IsFreshAt(timeProvider.GetUtcNow()))
            {
                return other.Value;
            }

            var fresh = await ExchangeAsync(cancellationToken);
            cached = fresh;
            return fresh.Value;
        }
        finally
        {
            refresh.Release();
        }
    }

    /// <summary>Drops <paramref name="token"/> (FCM refused it) unless a newer one replaced it already.</summary>
    public void Invalidate(string token)
    {
        if (cached is { } current && current.Value == token)
        {
            cached = null;
        }
    }

    /// <summary>The signed assertion: header, claims, RS256 over both (RFC 7515, RFC 7523 §3).</summary>
    public static string CreateAssertion(FcmServiceAccount account, DateTimeOffset now)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" }));
        var iat = now.ToUnixTimeSeconds();
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = account.ClientEmail,
            ["scope"] = Scope,
            ["aud"] = Audience,
            ["iat"] = iat,
            ["exp"] = iat + (long)Lifetime.TotalSeconds,
        }));
        var signingInput = $"{header}.{claims}";
        using var rsa = RSA.Create();
        rsa.ImportFromPem(account.PrivateKeyPem);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private async Task<CachedToken> ExchangeAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, account.TokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ["assertion"] = CreateAssertion(account, now),
            }),
        };
        using var response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            // Google's error body is {"error":"invalid_grant","error_description":"…"}: no secret in it.
            var detail = await ResponseSnippet.ReadAsync(response.Content, cancellationToken);
            throw new FcmTokenException(status, RetryAfter.From(response.Headers.RetryAfter, timeProvider.GetUtcNow()), detail);
        }

        string? value;
        long expiresIn;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var body = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            value = body.RootElement.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            expiresIn = body.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds) ? seconds : 0;
        }
        catch (JsonException)
        {
            // The message may quote the body, which holds the token: say nothing about it.
            throw new FcmTokenException(status, null, "the token endpoint's answer is not JSON.");
        }

        if (string.IsNullOrEmpty(value) || expiresIn <= 0)
        {
            throw new FcmTokenException(status, null, "the token endpoint's answer has no access_token or expires_in.");
        }

        var lifetime = TimeSpan.FromSeconds(expiresIn);
        var margin = lifetime / 2 < RefreshMargin ? lifetime / 2 : RefreshMargin;
        LogObtained(logger, account.ClientEmail, expiresIn);
        return new CachedToken(value, now + lifetime - margin);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "FCM access token obtained for {ClientEmail}, valid for {ExpiresInSeconds} s")]
    private static partial void LogObtained(ILogger logger, string clientEmail, long expiresInSeconds);

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt)
    {
        public bool IsFreshAt(DateTimeOffset now) => now < RefreshAt;

        // Never print the token.
        public override string ToString() => $"token refreshed at {RefreshAt:O}";
    }
}
