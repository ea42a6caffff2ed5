// Admin users and their sessions on a real node and database: invitation with a one-time
// set-password link, bcrypt passwords, sign-in to a short-lived access token and a rotating
// refresh token (a replayed one ends the session), logout, deactivation and role changes taking
// effect on the next request, throttled brute force with one answer for unknown and wrong, the
// last ADMIN kept, other tenants' users invisible, and every change audited.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Users;

public class AdminUsersTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NotiflyNode Node => fixture.Node;

    [Fact]
    public async Task An_invited_user_sets_a_password_signs_in_and_acts_with_their_role()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var editor = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "EDITOR");

        var me = await (await editor.Client(Node).GetAsync("/api/auth/me")).ReadAsync<JsonElement>();
        me.GetProperty("kind").GetString().Should().Be("user");
        me.GetProperty("role").GetString().Should().Be("EDITOR");
        me.GetProperty("tenantId").GetGuid().Should().Be(tenant.Id);
        me.GetProperty("name").GetString().Should().Be(editor.Email);

        (await editor.Client(Node).SendAsync(Calls.Webhook("https://example.com/hook"))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await editor.Client(Node).GetAsync("/api/admin/api-keys")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var hash = new NpgsqlCommand("SELECT password_hash FROM admin_users WHERE id = $1", connection) { Parameters = { new() { Value = editor.Id } } };
        ((string)(await hash.ExecuteScalarAsync())!).Should().StartWith("$2").And.Contain("$12$", "bcrypt at cost 12");

        var listed = await (await tenant.Http.GetAsync("/api/admin/users")).Content.ReadAsStringAsync();
        listed.Should().Contain(editor.Email).And.NotContainAny("password", "$2a$", "$2b$", "invitationToken");
    }

    [Fact]
    public async Task A_refresh_token_rotates_and_a_replayed_one_ends_the_session()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");

        using var first = await UserSessions.RefreshAsync(Node, user.RefreshToken);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var rotated = await first.ReadAsync<JsonElement>();
        var next = rotated.GetProperty("refreshToken").GetString()!;
        next.Should().NotBe(user.RefreshToken);
        var access = rotated.GetProperty("accessToken").GetString()!;
        (await Node.Client(access).GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var replay = await UserSessions.RefreshAsync(Node, user.RefreshToken);
        replay.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await replay.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_TOKEN");

        // The whole family is gone: the token rotated in, and the session's access tokens.
        (await UserSessions.RefreshAsync(Node, next)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var ended = await Node.Client(access).GetAsync("/api/notifications");
        ended.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await ended.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_TOKEN");

        // Another sign-in is a new session.
        var again = await UserSessions.SignInAsync(Node, slug, user.Email);
        (await again.Client(Node).GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_ends_the_session_for_the_refresh_and_the_access_token()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");
        using (var logout = await Node.Client().PostAsJsonAsync("/api/auth/logout", new { refreshToken = user.RefreshToken }))
        {
            logout.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        (await UserSessions.RefreshAsync(Node, user.RefreshToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await user.Client(Node).GetAsync("/api/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // Logging out with only the access token ends its session too.
        var other = await UserSessions.SignInAsync(Node, slug, user.Email);
        (await other.Client(Node).PostAsync("/api/auth/logout", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await other.Client(Node).GetAsync("/api/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await UserSessions.RefreshAsync(Node, other.RefreshToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Deactivation_and_role_changes_take_effect_on_the_next_request()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");
        var client = user.Client(Node);
        (await client.SendAsync(Calls.Webhook("https://example.com/hook"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await tenant.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { role = "EDITOR" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.SendAsync(Calls.Webhook("https://example.com/hook"))).StatusCode.Should().Be(HttpStatusCode.Accepted, "the same token, the new role");

        (await tenant.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { active = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await UserSessions.RefreshAsync(Node, user.RefreshToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var login = await UserSessions.LoginAsync(Node, slug, user.Email, user.Password);
        login.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await login.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_CREDENTIALS");

        (await tenant.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { active = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        await UserSessions.SignInAsync(Node, slug, user.Email);
    }

    [Fact]
    public async Task Failed_sign_ins_are_throttled_and_unknown_and_wrong_answer_alike()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");

        using var wrong = await UserSessions.LoginAsync(Node, slug, user.Email, "not the password at all");
        using var unknown = await UserSessions.LoginAsync(Node, slug, $"nobody-{Guid.NewGuid():N}@example.com", "not the password at all");
        using var noTenant = await UserSessions.LoginAsync(Node, $"no-{Guid.NewGuid():N}", user.Email, user.Password);
        var answers = new[] { wrong, unknown, noTenant };
        foreach (var answer in answers)
        {
            answer.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var bodies = (await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync())))
            .Select(b => System.Text.RegularExpressions.Regex.Replace(b, "\"traceId\":\"[^\"]*\"", ""));
        bodies.Distinct().Should().ContainSingle("an unknown tenant or email reads exactly like a wrong password");

        for (var i = 1; i < 5; i++)
        {
            (await UserSessions.LoginAsync(Node, slug, user.Email, $"guess {i} of many")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using var locked = await UserSessions.LoginAsync(Node, slug, user.Email, user.Password);
        locked.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "five failures lock the account, even for the right password");
        (await locked.ProblemAsync()).GetProperty("code").GetString().Should().Be("RATE_LIMIT_EXCEEDED");
        int.Parse(locked.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(1, 15 * 60);
    }

    [Fact]
    public async Task A_set_password_link_works_once_and_weak_passwords_are_refused()
    {
        var (tenant, _) = await UserSessions.CreateTenantAsync(Node);
        var token = await UserSessions.InviteAsync(tenant.Http, $"once-{Guid.NewGuid():N}@example.com", "VIEWER");
        using (var weak = await Node.Client().PostAsJsonAsync("/api/auth/set-password", new { token, password = "short" }))
        {
            weak.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await weak.ProblemAsync()).GetProperty("errors").TryGetProperty("password", out _).Should().BeTrue();
        }

        (await Node.Client().PostAsJsonAsync("/api/auth/set-password", new { token, password = UserSessions.Password })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var again = await Node.Client().PostAsJsonAsync("/api/auth/set-password", new { token, password = UserSessions.Password + "!" });
        again.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await again.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_TOKEN");
    }

    [Fact]
    public async Task A_new_link_replaces_the_old_and_setting_a_password_ends_the_users_sessions()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");
        var first = await (await tenant.Http.PostAsync($"/api/admin/users/{user.Id}/invitation", null)).ReadAsync<JsonElement>();
        var second = await (await tenant.Http.PostAsync($"/api/admin/users/{user.Id}/invitation", null)).ReadAsync<JsonElement>();
        var firstToken = first.GetProperty("invitationToken").GetString()!;
        var secondToken = second.GetProperty("invitationToken").GetString()!;
        second.GetProperty("setPasswordPath").GetString().Should().Be($"/set-password?tenant={slug}&token={secondToken}");

        (await Node.Client().PostAsJsonAsync("/api/auth/set-password", new { token = firstToken, password = "a brand new password" }))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest, "only the newest link works");
        (await Node.Client().PostAsJsonAsync("/api/auth/set-password", new { token = secondToken, password = "a brand new password" }))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await user.Client(Node).GetAsync("/api/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the old sessions ended");
        (await UserSessions.RefreshAsync(Node, user.RefreshToken)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await UserSessions.LoginAsync(Node, slug, user.Email, user.Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await UserSessions.SignInAsync(Node, slug, user.Email, "a brand new password");
        (await tenant.Http.PostAsync($"/api/admin/users/{Guid.NewGuid()}/invitation", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invitations_are_validated_and_the_last_admin_is_kept()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var email = $"dup-{Guid.NewGuid():N}@example.com";
        await UserSessions.InviteAsync(tenant.Http, email, "VIEWER");
        (await tenant.Http.PostAsJsonAsync("/api/admin/users", new { email = email.ToUpperInvariant(), role = "EDITOR" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await tenant.Http.PostAsJsonAsync("/api/admin/users", new { email = "not an email", role = "EDITOR" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Http.PostAsJsonAsync("/api/admin/users", new { email = $"r-{Guid.NewGuid():N}@example.com", role = "SERVICE" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var admin = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "ADMIN");
        using var demote = await admin.Client(Node).PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { role = "VIEWER" });
        demote.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await tenant.Http.DeleteAsync($"/api/admin/users/{admin.Id}")).StatusCode.Should().Be(HttpStatusCode.Conflict);

        var second = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "ADMIN");
        (await second.Client(Node).DeleteAsync($"/api/admin/users/{admin.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.Client(Node).GetAsync("/api/auth/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a deleted user's session is gone");
    }

    [Fact]
    public async Task Another_tenants_users_are_not_found_and_cannot_be_changed()
    {
        var (mine, mySlug) = await UserSessions.CreateTenantAsync(Node);
        var (theirs, _) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, mine.Http, mySlug, "ADMIN");

        (await theirs.Http.GetAsync($"/api/admin/users/{user.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await theirs.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { active = false })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await theirs.Http.DeleteAsync($"/api/admin/users/{user.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await theirs.Http.GetAsync("/api/admin/users")).Content.ReadAsStringAsync()).Should().NotContain(user.Email);
        (await user.Client(Node).GetAsync("/api/auth/me")).StatusCode.Should().Be(HttpStatusCode.OK, "nothing changed");
    }

    [Fact]
    public async Task A_browser_session_keeps_its_refresh_token_in_an_httponly_cookie()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "VIEWER");
        var cookies = new System.Net.CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(Node.BaseAddress) };

        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { tenant = slug, email = user.Email, password = user.Password, session = "cookie" });
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        (await login.ReadAsync<JsonElement>()).TryGetProperty("refreshToken", out _).Should().BeFalse("no script may read it");
        var setCookie = login.Headers.GetValues("Set-Cookie").Single();
        setCookie.Should().Contain("notifly_refresh=").And.Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/api/auth");

        using var refreshed = await browser.PostAsync("/api/auth/refresh", null);
        refreshed.StatusCode.Should().Be(HttpStatusCode.OK, await refreshed.Content.ReadAsStringAsync());
        (await browser.PostAsync("/api/auth/logout", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.PostAsync("/api/auth/refresh", null)).StatusCode.Should().BeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_suspended_tenants_users_are_refused_and_every_user_change_is_audited()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(Node);
        var user = await UserSessions.SignUpAsync(Node, tenant.Http, slug, "EDITOR");
        (await tenant.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { role = "VIEWER" })).EnsureSuccessStatusCode();

        (await Node.OperatorClient().PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();
        using (var refused = await user.Client(Node).GetAsync("/api/notifications"))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("TENANT_SUSPENDED");
        }

        using (var login = await UserSessions.LoginAsync(Node, slug, user.Email, user.Password))
        {
            login.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await Node.OperatorClient().PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "ACTIVE" })).EnsureSuccessStatusCode();
        (await user.Client(Node).GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT action, actor, coalesce(changes::text, '') FROM admin_audit_logs WHERE tenant_id = $1 AND resource_type = 'user' ORDER BY id", connection)
            { Parameters = { new() { Value = tenant.Id } } };
        var rows = new List<(string Action, string Actor, string Changes)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        rows.Select(r => r.Action).Should().Equal("user.invited", "user.password_set", "user.updated");
        rows[0].Actor.Should().StartWith("api_key:");
        rows[2].Changes.Should().Contain("EDITOR").And.Contain("VIEWER");
        string.Concat(rows.Select(r => r.Changes)).Should().NotContain(UserSessions.Password);
    }
}
