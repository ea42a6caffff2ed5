using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notifly.Tests.Support;

/// <summary>
/// Google's OAuth2 token endpoint and FCM HTTP v1's messages:send on one real Kestrel listener,
/// following the documented contract: the token endpoint verifies the JWT bearer assertion's
/// RS256 signature and claims; messages:send checks the Bearer token and the message fields and
/// answers with a scripted FCM error payload or <c>{"name":"projects/…/messages/…"}</c>.
/// The service account (a fresh RSA key) is made here; <see cref="ServiceAccountJson"/> is its key file.
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    public const string ProjectId = "notifly-test";
    public const string ClientEmail = "push@notifly-test.iam.gserviceaccount.com";

    private readonly WebApplication app;
    private readonly RSA key = RSA.Create(2048);
    private readonly Lock gate = new();
    private readonly HashSet<string> validTokens = [];
    private readonly List<string> issuedTokens = [];
    private readonly List<ReceivedRequest> sends = [];
    private readonly Queue<(int Status, string Body, string? RetryAfter)> script = new();
    private readonly List<string> problems = [];

    private FakeFcm(WebApplication app) => this.app = app;

    public string BaseAddress { get; private set; } = "";

    public string TokenUri => $"{BaseAddress}/token";

    public string PrivateKeyPem => key.ExportPkcs8PrivateKeyPem();

    public string ServiceAccountJson => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = "k1",
        ["private_key"] = PrivateKeyPem,
        ["client_email"] = ClientEmail,
        ["token_uri"] = TokenUri,
    });

    /// <summary>expires_in of the tokens handed out from now on.</summary>
    public int ExpiresInSeconds { get; set; } = 3600;

    public IReadOnlyList<string> IssuedTokens { get { lock (gate) { return [.. issuedTokens]; } } }

    public IReadOnlyList<ReceivedRequest> Sends { get { lock (gate) { return [.. sends]; } } }

    /// <summary>Contract violations the fake saw (bad JWT, bad body…); a test expects none.</summary>
    public IReadOnlyList<string> Problems { get { lock (gate) { return [.. problems]; } } }

    public static async Task<FakeFcm> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakeFcm(app);
        app.MapPost("/token", fake.TokenAsync);
        app.MapPost("/v1/projects/{project}/messages:send", fake.SendAsync);
        fake.BaseAddress = await LoopbackServer.StartAsync(app);
        return fake;
    }

    /// <summary>The next messages:send answers with FCM's documented error payload.</summary>
    public void EnqueueError(int status, string rpcStatus, string? errorCode = null, TimeSpan? retryAfter = null)
    {
        var details = errorCode is null
            ? "[]"
            : $$"""[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"{{errorCode}}"}]""";
        var body = $$$"""{"error":{"code":{{{status}}},"message":"Scripted {{{rpcStatus}}}.","status":"{{{rpcStatus}}}","details":{{{details}}}}}""";
        lock (gate)
        {
            script.Enqueue((status, body, retryAfter is { } wait ? ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null));
        }
    }

    /// <summary>Every token issued so far stops working, as when Google rotates them.</summary>
    public void RevokeTokens()
    {
        lock (gate)
        {
            validTokens.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        key.Dispose();
    }

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var problem = form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ? "grant_type is not jwt-bearer"
            : VerifyAssertion(form["assertion"].ToString());
        if (problem is not null)
        {
            Problem(problem);
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = problem });
            return;
        }

        var token = $"ya29.fake-{Guid.NewGuid():N}";
        lock (gate)
        {
            validTokens.Add(token);
            issuedTokens.Add(token);
        }

        await context.Response.WriteAsJsonAsync(new { access_token = token, expires_in = ExpiresInSeconds, token_type = "Bearer" });
    }

    private string? VerifyAssertion(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return "assertion is not a JWS compact serialization";
        }

        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!key.VerifyData(signed, System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "bad RS256 signature";
        }

        using var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var h = header.RootElement;
        var c = claims.RootElement;
        if (h.GetProperty("alg").GetString() != "RS256" || h.GetProperty("typ").GetString() != "JWT")
        {
            return "header is not {alg:RS256,typ:JWT}";
        }

        if (c.GetProperty("iss").GetString() != ClientEmail)
        {
            return "iss is not the client_email";
        }

        if (c.GetProperty("scope").GetString() != "https://www.googleapis.com/auth/firebase.messaging")
        {
            return "scope is not firebase.messaging";
        }

        // Always Google's token endpoint, even where token_uri points elsewhere (here: this fake).
        if (c.GetProperty("aud").GetString() is var aud && aud != "https://oauth2.googleapis.com/token")
        {
            return $"aud is not https://oauth2.googleapis.com/token but {aud}";
        }

        return c.GetProperty("exp").GetInt64() - c.GetProperty("iat").GetInt64() == 3600 ? null : "exp is not iat + 3600";
    }

    private async Task SendAsync(HttpContext context, string project)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var received = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            buffer.ToArray(),
            DateTimeOffset.UtcNow);
        (int Status, string Body, string? RetryAfter)? scripted;
        bool authorized;
        lock (gate)
        {
            sends.Add(received);
            var authorization = received.Header("Authorization") ?? "";
            authorized = authorization.StartsWith("Bearer ", StringComparison.Ordinal) && validTokens.Contains(authorization["Bearer ".Length..]);
            scripted = authorized && script.TryDequeue(out var next) ? next : null;
        }

        if (!authorized)
        {
            await Answer(context, 401, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""");
            return;
        }

        var problem = project != ProjectId ? "wrong project" : CheckMessage(received.Body);
        if (problem is not null)
        {
            Problem(problem);
            await Answer(context, 400, $$$"""{"error":{"code":400,"message":"{{{problem}}}","status":"INVALID_ARGUMENT"}}""");
            return;
        }

        if (scripted is { } error)
        {
            if (error.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            await Answer(context, error.Status, error.Body);
            return;
        }

        await Answer(context, 200, $$"""{"name":"projects/{{ProjectId}}/messages/0:{{Guid.NewGuid():N}}"}""");
    }

    private static string? CheckMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var message = document.RootElement.GetProperty("message");
            if (string.IsNullOrEmpty(message.GetProperty("token").GetString()))
            {
                return "message.token is empty";
            }

            if (message.GetProperty("notification").GetProperty("body").ValueKind != JsonValueKind.String)
            {
                return "message.notification.body is not a string";
            }

            var data = message.GetProperty("data");
            return data.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String) && data.TryGetProperty("notificationId", out _)
                ? null
                : "message.data values must be strings, notificationId among them";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"not a v1 message: {e.Message}";
        }
    }

    private static async Task Answer(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private void Problem(string problem)
    {
        lock (gate)
        {
            problems.Add(problem);
        }
    }
}
