using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.Tests.Support;

namespace Notifly.Tests.Users;

/// <summary>A user of a test tenant, invited by its admin key, with the password they set and their latest tokens.</summary>
public sealed record SignedInUser(Guid Id, string Email, string Password, string Slug, string AccessToken, string RefreshToken)
{
    public HttpClient Client(NotiflyNode node) => node.Client(AccessToken);
}

public static class UserSessions
{
    public const string Password = "correct horse battery staple";

    /// <summary>A tenant created through the operator API, so its slug is known for sign-in.</summary>
    public static async Task<(TestTenant Tenant, string Slug)> CreateTenantAsync(NotiflyNode node)
    {
        var slug = $"u-{Guid.NewGuid():N}";
        using var created = await node.OperatorClient().PostAsJsonAsync("/api/operator/tenants", new { name = slug, slug });
        created.EnsureSuccessStatusCode();
        var body = await created.ReadAsync<JsonElement>();
        var key = body.GetProperty("adminKey").GetProperty("secret").GetString()!;
        return (new TestTenant(body.GetProperty("tenant").GetProperty("id").GetGuid(), key, node.Client(key)), slug);
    }

    public static async Task<string> InviteAsync(HttpClient admin, string email, string role)
    {
        using var invited = await admin.PostAsJsonAsync("/api/admin/users", new { email, role });
        ((int)invited.StatusCode).Should().Be(201, await invited.Content.ReadAsStringAsync());
        return (await invited.ReadAsync<JsonElement>()).GetProperty("invitationToken").GetString()!;
    }

    /// <summary>Invites, sets the password through the link, and signs in.</summary>
    public static async Task<SignedInUser> SignUpAsync(NotiflyNode node, HttpClient admin, string slug, string role, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        var token = await InviteAsync(admin, email, role);
        using (var set = await node.Client().PostAsJsonAsync("/api/auth/set-password", new { token, password = Password }))
        {
            ((int)set.StatusCode).Should().Be(204, await set.Content.ReadAsStringAsync());
        }

        return await SignInAsync(node, slug, email);
    }

    public static async Task<SignedInUser> SignInAsync(NotiflyNode node, string slug, string email, string password = Password)
    {
        using var login = await LoginAsync(node, slug, email, password);
        ((int)login.StatusCode).Should().Be(200, await login.Content.ReadAsStringAsync());
        var body = await login.ReadAsync<JsonElement>();
        return new SignedInUser(body.GetProperty("user").GetProperty("id").GetGuid(), email, password, slug,
            body.GetProperty("accessToken").GetString()!, body.GetProperty("refreshToken").GetString()!);
    }

    public static Task<HttpResponseMessage> LoginAsync(NotiflyNode node, string slug, string email, string password, HttpClient? client = null) =>
        (client ?? node.Client()).PostAsJsonAsync("/api/auth/login", new { tenant = slug, email, password });

    public static Task<HttpResponseMessage> RefreshAsync(NotiflyNode node, string refreshToken) =>
        node.Client().PostAsJsonAsync("/api/auth/refresh", new { refreshToken });

    public static HttpClient WithToken(this HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
