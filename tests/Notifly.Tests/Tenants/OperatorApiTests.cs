// The operator API and `notifly tenants` on a real node and database: only an operator token
// opens it; a tenant is created with its first ADMIN key (shown once), validated, listed by page
// and status, renamed, suspended and resumed, each change audited with the caller's address and
// user agent; the command does the same through the API.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.Silo.Cli;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Tenants;

public class OperatorApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Only_an_operator_token_opens_the_operator_api()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        foreach (var client in new[] { fixture.Node.Client(), fixture.Node.Client("not-the-operator-token-0123456789abcdef"), tenant.Http })
        {
            using var response = await client.GetAsync("/api/operator/tenants");
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_OPERATOR_TOKEN");
        }

        // Nor does the operator token open a tenant's API.
        using var asTenant = await fixture.Node.OperatorClient().GetAsync("/api/admin/api-keys");
        asTenant.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_created_tenant_answers_its_admin_key_once_and_the_key_works()
    {
        var slug = $"acme-{Guid.NewGuid():N}"[..20];
        using var created = await fixture.Node.OperatorClient().PostAsJsonAsync("/api/operator/tenants", new { name = $"Acme {slug}", slug });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var body = await created.ReadAsync<JsonElement>();
        var id = body.GetProperty("tenant").GetProperty("id").GetGuid();
        body.GetProperty("tenant").GetProperty("status").GetString().Should().Be("ACTIVE");
        created.Headers.Location!.ToString().Should().Be($"/api/operator/tenants/{id}");
        var key = body.GetProperty("adminKey").GetProperty("secret").GetString()!;
        body.GetProperty("adminKey").GetProperty("key").GetProperty("role").GetString().Should().Be("ADMIN");

        using var keys = await fixture.Node.Client(key).GetAsync("/api/admin/api-keys");
        keys.StatusCode.Should().Be(HttpStatusCode.OK);
        var listed = await keys.Content.ReadAsStringAsync();
        listed.Should().NotContain(key.Split('.')[1], "the secret is never shown again");

        using var fetched = await fixture.Node.OperatorClient().GetAsync($"/api/operator/tenants/{id}");
        var tenant = await fetched.ReadAsync<JsonElement>();
        tenant.GetProperty("slug").GetString().Should().Be(slug);
        tenant.TryGetProperty("webhookSecret", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"name":"Bad slug","slug":"Not_A_Slug"}""", "slug")]
    [InlineData("""{"name":"","slug":"fine-slug"}""", "name")]
    [InlineData("""{"slug":"fine-slug"}""", "name")]
    [InlineData("""{"name":"No slug"}""", "slug")]
    public async Task Invalid_tenants_are_refused_and_nothing_is_created(string json, string field)
    {
        var before = await CountTenantsAsync();
        using var response = await fixture.Node.OperatorClient().PostAsync("/api/operator/tenants",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue(problem.ToString());
        (await CountTenantsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_taken_slug_or_name_is_a_conflict()
    {
        var slug = $"dup-{Guid.NewGuid():N}"[..16];
        var operatorApi = fixture.Node.OperatorClient();
        (await operatorApi.PostAsJsonAsync("/api/operator/tenants", new { name = slug, slug })).StatusCode.Should().Be(HttpStatusCode.Created);
        foreach (var (name, taken) in new[] { ($"other {slug}", slug), (slug, $"{slug}-2") })
        {
            using var again = await operatorApi.PostAsJsonAsync("/api/operator/tenants", new { name, slug = taken });
            again.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await again.ProblemAsync()).GetProperty("code").GetString().Should().Be("CONFLICT");
        }

        var other = await CreateAsync(operatorApi);
        using var rename = await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{other}", new { name = slug });
        rename.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Tenants_are_listed_newest_first_by_page_and_by_status()
    {
        var operatorApi = fixture.Node.OperatorClient();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateAsync(operatorApi));
        }

        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{ids[1]}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await operatorApi.GetAsync($"/api/operator/tenants?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}")).ReadAsync<JsonElement>();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        seen.Should().OnlyHaveUniqueItems();
        seen.Where(ids.Contains).Should().Equal(ids[2], ids[1], ids[0]);

        var suspended = await (await operatorApi.GetAsync("/api/operator/tenants?status=suspended&limit=500")).ReadAsync<JsonElement>();
        var suspendedIds = suspended.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
        suspendedIds.Should().Contain(ids[1]).And.NotContain(ids[0]).And.NotContain(ids[2]);

        using var badStatus = await operatorApi.GetAsync("/api/operator/tenants?status=GONE");
        badStatus.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var badCursor = await operatorApi.GetAsync("/api/operator/tenants?cursor=abc");
        badCursor.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Every_change_is_audited_with_who_where_and_what()
    {
        var operatorApi = fixture.Node.OperatorClient();
        operatorApi.DefaultRequestHeaders.UserAgent.ParseAdd("operator-test/1.0");
        var id = await CreateAsync(operatorApi);
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{id}", new { name = $"renamed {id}" })).EnsureSuccessStatusCode();
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode(); // no change, no row
        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{id}", new { status = "ACTIVE" })).EnsureSuccessStatusCode();

        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT action, actor, ip_address, user_agent, changes::text FROM admin_audit_logs
             WHERE tenant_id = $1 AND resource_type = 'tenant' ORDER BY id
            """, connection) { Parameters = { new() { Value = id } } };
        var rows = new List<(string Action, string Actor, string? Ip, string? Agent, string Changes)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
            }
        }

        rows.Select(r => r.Action).Should().Equal("tenant.created", "tenant.renamed", "tenant.suspended", "tenant.resumed");
        rows.Should().OnlyContain(r => r.Actor == "operator" && r.Ip == "127.0.0.1" && r.Agent == "operator-test/1.0");
        rows[1].Changes.Should().Contain($"renamed {id}");
        rows[2].Changes.Should().Contain("SUSPENDED");
    }

    [Fact]
    public async Task The_tenants_command_creates_lists_suspends_and_resumes_by_slug()
    {
        var slug = $"cli-{Guid.NewGuid():N}"[..16];
        var common = new[] { "--url", fixture.Node.BaseAddress, "--token", NotiflyNode.OperatorToken };

        var (code, output, error) = await RunAsync(["create", "--name", $"Cli {slug}", "--slug", slug, .. common]);
        code.Should().Be(0, error);
        output.Should().Contain($"Created tenant {slug}").And.MatchRegex("shown this once: nf_live_[^ ]+");
        var key = System.Text.RegularExpressions.Regex.Match(output, "nf_live_\\S+").Value;
        (await fixture.Node.Client(key).GetAsync("/api/admin/api-keys")).StatusCode.Should().Be(HttpStatusCode.OK);

        (code, output, error) = await RunAsync(["suspend", slug, .. common]);
        code.Should().Be(0, error);
        output.Should().Contain($"{slug}").And.Contain("SUSPENDED");
        (await fixture.Node.Client(key).GetAsync("/api/admin/api-keys")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (code, output, _) = await RunAsync(["list", "--status", "SUSPENDED", .. common]);
        code.Should().Be(0);
        output.Should().MatchRegex($"\\S+\\s+{slug}\\s+SUSPENDED");

        (code, output, error) = await RunAsync(["resume", slug, "--json", .. common]);
        code.Should().Be(0, error);
        JsonDocument.Parse(output).RootElement.GetProperty("status").GetString().Should().Be("ACTIVE");
        (await fixture.Node.Client(key).GetAsync("/api/admin/api-keys")).StatusCode.Should().Be(HttpStatusCode.OK);

        (code, _, error) = await RunAsync(["suspend", "no-such-tenant", .. common]);
        code.Should().Be(1);
        error.Should().Contain("no-such-tenant");

        (code, _, error) = await RunAsync(["create", "--name", "Bad", "--slug", "Bad Slug", .. common]);
        code.Should().Be(1);
        error.Should().Contain("VALIDATION_FAILED").And.Contain("slug");

        (code, _, error) = await RunAsync(["list", "--url", fixture.Node.BaseAddress, "--token", "wrong-token"]);
        code.Should().Be(1);
        error.Should().Contain("INVALID_OPERATOR_TOKEN");
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await TenantsCommand.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<Guid> CreateAsync(HttpClient operatorApi)
    {
        var slug = $"t-{Guid.NewGuid():N}";
        using var created = await operatorApi.PostAsJsonAsync("/api/operator/tenants", new { name = slug, slug });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.ReadAsync<JsonElement>()).GetProperty("tenant").GetProperty("id").GetGuid();
    }

    private async Task<long> CountTenantsAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM tenants", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
