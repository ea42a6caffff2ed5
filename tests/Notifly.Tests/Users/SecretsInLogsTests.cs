// Nothing secret reaches the log: a node logging everything at Debug goes through the operator
// token, a tenant's first key, an invitation, a password, sign-in, refresh (and a replay),
// logout, a wrong password and a new key; no password, token or key appears in any line.
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.Tests.Support;

namespace Notifly.Tests.Users;

public class SecretsInLogsTests
{
    [Fact]
    public async Task No_password_token_or_key_is_logged()
    {
        var logs = new RecordingLoggerProvider();
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("secrets-in-logs");
        await using var node = await NotiflyNode.StartAsync(database, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(RecordingLoggerProvider).FullName, null, LogLevel.Debug, null)));
        });

        var (tenant, slug) = await UserSessions.CreateTenantAsync(node);
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var invitation = await UserSessions.InviteAsync(tenant.Http, email, "ADMIN");
        (await node.Client().PostAsJsonAsync("/api/auth/set-password", new { token = invitation, password = UserSessions.Password })).EnsureSuccessStatusCode();
        var user = await UserSessions.SignInAsync(node, slug, email);
        var key = await (await user.Client(node).PostAsJsonAsync("/api/admin/api-keys", new { name = "k", role = "SERVICE" })).ReadAsync<JsonElement>();
        var refreshed = await (await UserSessions.RefreshAsync(node, user.RefreshToken)).ReadAsync<JsonElement>();
        await UserSessions.RefreshAsync(node, user.RefreshToken); // a replay: the session ends
        await node.Client(refreshed.GetProperty("accessToken").GetString()!).GetAsync("/api/auth/me"); // refused now
        await UserSessions.LoginAsync(node, slug, email, "a wrong password, also secret");
        await node.Client(key.GetProperty("secret").GetString()!).GetAsync("/api/notifications");
        await node.Client("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged-signature").GetAsync("/api/notifications");
        await node.Client().PostAsJsonAsync("/api/auth/logout", new { refreshToken = refreshed.GetProperty("refreshToken").GetString() });

        string[] secrets =
        [
            NotiflyNode.OperatorToken, NotiflyNode.TestSecretsKey, tenant.AdminKey, tenant.AdminKey.Split('.')[1], invitation,
            UserSessions.Password, "a wrong password, also secret", user.AccessToken, user.RefreshToken,
            refreshed.GetProperty("accessToken").GetString()!, refreshed.GetProperty("refreshToken").GetString()!,
            key.GetProperty("secret").GetString()!.Split('.')[1], "forged-signature",
        ];
        logs.Lines.Should().NotBeEmpty();
        foreach (var line in logs.Lines)
        {
            line.Should().NotContainAny(secrets);
        }
    }
}
