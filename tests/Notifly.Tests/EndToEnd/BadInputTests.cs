// Every bad input gets a clear 4xx problem detail with seed 000's code and changes nothing:
// malformed JSON, missing fields, unknown channel, wrong content type, oversized body, bad or
// missing key, non-admin key on admin endpoints, other tenants' ids. Real node and database.
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class BadInputTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "{", "VALIDATION_FAILED", "$" },
        { "[]", "VALIDATION_FAILED", "$" },
        { "{\"payload\":{}}", "VALIDATION_FAILED", "eventType" },
        { "{\"eventType\":\"a\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "VALIDATION_FAILED", "payload" },
        { "{\"eventType\":\"a\",\"payload\":\"text\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "VALIDATION_FAILED", "payload" },
        { "{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"FAX\"]}", "VALIDATION_FAILED", "$.channels[0]" },
        { "{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"EMAIL\"],\"recipient\":{\"email\":\"not-an-email\"}}", "VALIDATION_FAILED", "recipient.email" },
        { "{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"ftp://x\"}}", "VALIDATION_FAILED", "recipient.webhookUrl" },
        { "{\"eventType\":\"a\",\"payload\":{}}", "VALIDATION_FAILED", "channels" },
        { "{\"eventType\":\"a b\",\"payload\":{},\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "VALIDATION_FAILED", "eventType" },
        { "{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"SMS\"],\"recipient\":{\"phone\":\"+15551234567\"}}", "CHANNEL_DISABLED", "channels" },
        { "{\"eventType\":\"a\",\"payload\":{},\"priority\":\"urgent\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "VALIDATION_FAILED", "$.priority" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Rejects_bad_body_with_a_problem_detail_and_stores_nothing(string body, string code, string field)
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var response = await tenant.Http.PostAsync("/api/notifications", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be(code);
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue($"errors should name {field}: {problem}");
        await ShouldHaveNothingAsync(tenant);
    }

    [Fact]
    public async Task Rejects_a_non_json_content_type_with_415()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var response = await tenant.Http.PostAsync("/api/notifications", new StringContent("eventType=a", Encoding.UTF8, "text/plain"));
        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task Rejects_an_oversized_body_with_413()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var huge = "{\"eventType\":\"a\",\"payload\":{\"x\":\"" + new string('x', 300 * 1024) + "\"}}";
        // Over the 256 KB limit for one notification. Expect: 100-continue lets the server refuse before the upload.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/notifications") { Content = new StringContent(huge, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var response = await tenant.Http.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("PAYLOAD_TOO_LARGE");
        await ShouldHaveNothingAsync(tenant);
    }

    [Fact]
    public async Task Rejects_a_payload_over_the_per_notification_limit()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var response = await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", payload: new { x = new string('x', 70_000) }));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("errors").TryGetProperty("payload", out _).Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer nope")]
    [InlineData("Bearer nf_live_abcdefghijkm.wrong-secret")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Rejects_missing_or_invalid_api_key_with_401(string? authorization)
    {
        using var http = fixture.Node.Client();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var response = await http.SendAsync(Calls.Webhook("http://127.0.0.1:9/"));
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_API_KEY");
    }

    [Fact]
    public async Task Rejects_a_right_prefix_with_a_wrong_secret()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var forged = tenant.AdminKey[..tenant.AdminKey.IndexOf('.', StringComparison.Ordinal)] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        using var http = fixture.Node.Client(forged);
        (await http.GetAsync("/api/notifications")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Service_keys_cannot_use_admin_endpoints()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var created = await tenant.Http.PostAsync("/api/admin/api-keys",
            new StringContent("{\"name\":\"backend\",\"role\":\"SERVICE\"}", Encoding.UTF8, "application/json"));
        var secret = (await created.ReadAsync<System.Text.Json.JsonElement>()).GetProperty("secret").GetString();
        using var service = fixture.Node.Client(secret);

        var response = await service.GetAsync("/api/admin/api-keys");
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("FORBIDDEN");
        (await service.SendAsync(Calls.Webhook("http://127.0.0.1:9/"))).StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData("/api/notifications?status=NOPE", "status")]
    [InlineData("/api/notifications?channel=FAX", "channel")]
    [InlineData("/api/notifications?limit=0", "limit")]
    [InlineData("/api/notifications?cursor=garbage", "cursor")]
    public async Task Rejects_bad_query_parameters(string url, string field)
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var response = await tenant.Http.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue();
    }

    [Fact]
    public async Task Unknown_routes_and_ids_are_problem_details()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var missing = await tenant.Http.GetAsync($"/api/notifications/{Guid.NewGuid()}");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await missing.ProblemAsync()).GetProperty("code").GetString().Should().Be("NOT_FOUND");

        (await tenant.Http.GetAsync("/api/notifications/not-a-guid")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Serves_the_openapi_document()
    {
        using var http = fixture.Node.Client();
        var response = await http.GetAsync("/openapi/v1.json");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("/api/notifications").And.Contain("/api/admin/dlq");
    }

    private static async Task ShouldHaveNothingAsync(TestTenant tenant) =>
        (await (await tenant.Http.GetAsync("/api/notifications")).ReadAsync<Page<NotificationView>>()).Items.Should().BeEmpty();
}
