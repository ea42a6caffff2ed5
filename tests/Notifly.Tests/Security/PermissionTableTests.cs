// The permission model, as README's "Who may call what" states it, walked over the running API:
// every endpoint that needs a tenant's caller is listed under the policy it carries, and each
// listed role's real caller (ADMIN and SERVICE keys, ADMIN, EDITOR and VIEWER users) gets 403
// FORBIDDEN exactly where the table says it may not call.
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Notifly.Tests.Support;
using Notifly.Tests.Users;

namespace Notifly.Tests.Security;

public partial class PermissionTableTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly string[] Callers = ["ADMIN key", "SERVICE key", "ADMIN user", "EDITOR user", "VIEWER user"];

    [Fact]
    public void The_readme_lists_every_endpoint_under_the_policy_it_carries()
    {
        var table = ReadmeTable();
        var documented = table.SelectMany(row => row.Endpoints.Select(e => (Endpoint: e, row.Policy))).ToList();
        documented.Select(d => d.Endpoint).Should().OnlyHaveUniqueItems();
        var actual = TenantEndpoints().Select(e => (Endpoint: Describe(e), Policy: PolicyOf(e))).ToList();
        documented.Select(d => $"{d.Policy}: {d.Endpoint}").Should().BeEquivalentTo(actual.Select(a => $"{a.Policy}: {a.Endpoint}"),
            "README's table must list each endpoint under its policy, and nothing else");

        foreach (var row in table)
        {
            var roles = Notifly.Api.Auth.Policies.Roles[row.Policy];
            row.Roles.Should().BeEquivalentTo(roles, $"README's roles for {row.Policy} are the policy's");
        }
    }

    [Fact]
    public async Task Each_role_is_refused_exactly_where_the_table_says()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(fixture.Node);
        var callers = new Dictionary<string, HttpClient>
        {
            ["ADMIN key"] = tenant.Http,
            ["SERVICE key"] = fixture.Node.Client(await tenant.CreateServiceKeyAsync()),
        };
        foreach (var role in new[] { "ADMIN", "EDITOR", "VIEWER" })
        {
            callers[$"{role} user"] = (await UserSessions.SignUpAsync(fixture.Node, tenant.Http, slug, role)).Client(fixture.Node);
        }

        var table = ReadmeTable().SelectMany(row => row.Endpoints.Select(e => (Endpoint: e, row.Roles))).ToList();
        var wrong = new List<string>();
        foreach (var (endpoint, roles) in table)
        {
            foreach (var caller in Callers)
            {
                // headers only: the status stream never ends, and the status code is all the walk needs
                using var response = await callers[caller].SendAsync(RequestFor(endpoint), HttpCompletionOption.ResponseHeadersRead);
                var allowed = roles.Contains(caller.Split(' ')[0]);
                var refused = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized;
                if (allowed == refused)
                {
                    wrong.Add($"{caller} → {endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        wrong.Should().BeEmpty();
    }

    private sealed record Row(string Policy, string[] Roles, string[] Endpoints);

    /// <summary>README's "Who may call what": | `policy` | roles | endpoints |, endpoints as `METHOD /path`.</summary>
    private static List<Row> ReadmeTable()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = readme[readme.IndexOf("### Who may call what", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n#", 5, StringComparison.Ordinal)];
        return section.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => new Row(
                cells[1].Trim('`'),
                cells[2].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                Code().Matches(cells[3]).Select(m => m.Groups[1].Value).ToArray()))
            .ToList();
    }

    private IEnumerable<RouteEndpoint> TenantEndpoints() =>
        fixture.Node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any() && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().All(a => a.Policy != "operator"))
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not null);

    /// <summary>The most restrictive of the endpoint's policies (its group's and its own).</summary>
    private static string PolicyOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy!)
            .MinBy(p => Notifly.Api.Auth.Policies.Roles[p].Length)!;

    private static string Describe(RouteEndpoint endpoint) =>
        $"{endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single()} {Constraint().Replace(endpoint.RoutePattern.RawText!, "{$1}").TrimEnd('/')}";

    /// <summary>A request for the endpoint with made-up ids and an empty JSON body: enough to pass or fail authorization.</summary>
    private static HttpRequestMessage RequestFor(string endpoint)
    {
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        path = Parameter().Replace(path, m => m.Groups[1].Value switch
        {
            "version" => "1",
            "name" or "userId" => "walk",
            _ => Guid.NewGuid().ToString(),
        });
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }

    [GeneratedRegex("`((?:GET|POST|PUT|PATCH|DELETE) [^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\{([A-Za-z]+):[^}]+\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Parameter();
}
