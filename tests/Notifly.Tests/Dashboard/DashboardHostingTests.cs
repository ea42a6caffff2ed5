// The api serves the built dashboard at /: index.html for the dashboard's own routes, hashed
// assets cached for a year, a strict CSP on every answer, and no inline script to need anything
// laxer; the API's paths stay the API's (an unknown one is a problem detail, not the page).
using System.Net;
using System.Text.RegularExpressions;
using Notifly.Api.Dashboard;
using Notifly.Tests.Support;

namespace Notifly.Tests.Dashboard;

public partial class DashboardHostingTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Serves_the_page_for_client_routes_and_its_assets_with_strict_headers()
    {
        using var client = fixture.Node.Client();
        foreach (var path in new[] { "/", "/login", "/notifications/0194d1a2-0000-7000-8000-000000000000", "/no-such-page" })
        {
            using var page = await client.GetAsync(path);
            page.StatusCode.Should().Be(HttpStatusCode.OK, path);
            page.Content.Headers.ContentType!.MediaType.Should().Be("text/html", path);
            page.Headers.CacheControl!.NoCache.Should().BeTrue("a new release must reach the browser at once");
            page.Headers.GetValues("Content-Security-Policy").Single().Should().Be(DashboardHosting.ContentSecurityPolicy);
            page.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
            page.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
            var html = await page.Content.ReadAsStringAsync();
            html.Should().Contain("<div id=\"root\"></div>");
            InlineScript().IsMatch(html).Should().BeFalse("the CSP allows no inline script");
            html.Should().NotContain("style=", "nor inline styles");
        }

        DashboardHosting.ContentSecurityPolicy.Should().Contain("script-src 'self';").And.NotContain("unsafe");

        using var index = await client.GetAsync("/");
        var assets = Asset().Matches(await index.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).ToArray();
        assets.Should().Contain(a => a.EndsWith(".js", StringComparison.Ordinal)).And.Contain(a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var file = await client.GetAsync(asset);
            file.StatusCode.Should().Be(HttpStatusCode.OK, asset);
            file.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
            file.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
        }

        (await client.GetAsync("/assets/missing-0000.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Leaves_the_apis_paths_to_the_api()
    {
        using var client = fixture.Node.Client();
        foreach (var path in new[] { "/api/nothing-here", "/api/admin/nothing", "/health/nothing", "/openapi/nothing", "/dev/nothing" })
        {
            using var response = await client.GetAsync(path);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, path);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", path);
        }

        using var post = await client.PostAsync("/settings", new StringContent("{}"));
        post.StatusCode.Should().Be(HttpStatusCode.NotFound, "only GET and HEAD get the page");
        (await client.GetAsync("/health/live")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetStringAsync("/docs/index.html")).Should().Contain("swagger-ui", "the API's docs page stays the API's");
    }

    [Fact]
    public async Task Tells_the_dashboard_without_a_key_that_single_node_tools_are_absent()
    {
        using var client = fixture.Node.Client();
        using var config = await client.GetAsync("/api/dashboard");
        config.StatusCode.Should().Be(HttpStatusCode.OK);
        (await config.ReadAsync<System.Text.Json.JsonElement>()).GetProperty("devTools").GetBoolean().Should().BeFalse(
            "only single-node mode has the mailbox and the webhook sink (DevModeTests sees true)");
        (await client.GetAsync("/dev/webhook-sink")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("(?:src|href)=\"(/assets/[^\"]+)\"")]
    private static partial Regex Asset();
}
