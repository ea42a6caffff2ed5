// Every non-2xx answer is an application/problem+json with a code, whoever produced it: our
// handlers, parameter binding (bad numbers and dates in the query), routing (malformed ids,
// unknown routes, wrong methods), authentication and authorization, and Kestrel (body too
// large). Every list refuses a cursor it did not issue and still pages with one it did.
// Request-body validation is BadInputTests'; Kestrel's own 400s for malformed request lines
// and headers come before any middleware and are not covered.
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class ProblemShapeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Admin = "admin";
    private const string Service = "service";
    private const string Anonymous = "none";

    /// <summary>Stands for a JSON body over the 256 KiB limit, kept out of the test's display name.</summary>
    private const string OversizedBody = "<oversized>";

    private static readonly string SqlInjection = Uri.EscapeDataString("' OR 1=1");

    // "this is not a cursor", and a cursor of the shape lists issued before they named themselves.
    private const string RandomBase64 = "dGhpcyBpcyBub3QgYSBjdXJzb3I";
    private static readonly string UntaggedCursor = Base64Url($"{DateTimeOffset.UtcNow.UtcTicks}:{Guid.NewGuid():N}");

    private static readonly string NotificationsCursor = new PageCursor(DateTimeOffset.UtcNow, Guid.NewGuid()).Encode(PagedList.Notifications);
    private static readonly string DeadLettersCursor = new PageCursor(DateTimeOffset.UtcNow, Guid.NewGuid()).Encode(PagedList.DeadLetters);
    private static readonly string Deliveries = $"/api/webhooks/{Guid.NewGuid()}/deliveries";

    public static TheoryData<string, string, string?, string?, string, int, string, string?> Cases => new()
    {
        // method, path, content type, body, caller, status, code, field named in errors
        { "GET", "/api/notifications?limit=abc", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/notifications?limit=9223372036854775808", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/notifications?limit=0", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/notifications?limit=501", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/notifications?limit=-1", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/notifications?from=notadate", null, null, Service, 400, "VALIDATION_FAILED", "from" },
        { "GET", "/api/notifications?to=yesterday", null, null, Service, 400, "VALIDATION_FAILED", "to" },
        { "GET", $"/api/notifications?cursor={SqlInjection}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"/api/notifications?cursor={DeadLettersCursor}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },

        { "GET", "/api/admin/dlq?limit=abc", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/admin/dlq?limit=0", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", "/api/admin/dlq?limit=501", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", $"/api/admin/dlq?cursor={SqlInjection}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"/api/admin/dlq?cursor={RandomBase64}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"/api/admin/dlq?cursor={UntaggedCursor}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"/api/admin/dlq?cursor={NotificationsCursor}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },

        { "GET", $"{Deliveries}?limit=abc", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", $"{Deliveries}?limit=0", null, null, Admin, 400, "VALIDATION_FAILED", "limit" },
        { "GET", $"{Deliveries}?cursor={SqlInjection}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"{Deliveries}?cursor={NotificationsCursor}", null, null, Admin, 400, "VALIDATION_FAILED", "cursor" },
        { "GET", $"{Deliveries}?status=lost", null, null, Admin, 400, "VALIDATION_FAILED", "status" },

        { "GET", "/api/admin/settings/retry-policies/preview?maxAttempts=abc", null, null, Admin, 400, "VALIDATION_FAILED", "maxAttempts" },
        { "GET", "/api/admin/settings/retry-policies/preview?backoffMultiplier=fast", null, null, Admin, 400, "VALIDATION_FAILED", "backoffMultiplier" },

        { "GET", "/api/notifications/not-a-uuid", null, null, Admin, 404, "NOT_FOUND", null },
        { "GET", "/api/notifications/not-a-uuid/events", null, null, Admin, 404, "NOT_FOUND", null },
        { "POST", "/api/notifications/not-a-uuid/cancel", null, null, Admin, 404, "NOT_FOUND", null },
        { "POST", "/api/admin/dlq/not-a-uuid/retry", null, null, Admin, 404, "NOT_FOUND", null },
        { "DELETE", "/api/admin/api-keys/not-a-uuid", null, null, Admin, 404, "NOT_FOUND", null },
        { "GET", "/api/no-such-thing", null, null, Admin, 404, "NOT_FOUND", null },
        { "POST", "/api/no-such-thing", "application/json", "{}", Admin, 404, "NOT_FOUND", null },
        { "GET", "/health/no-such-thing", null, null, Anonymous, 404, "NOT_FOUND", null }, // outside the API a GET is the dashboard's

        { "PUT", "/api/notifications", "application/json", "{}", Admin, 405, "METHOD_NOT_ALLOWED", null },
        { "DELETE", "/api/admin/dlq", null, null, Admin, 405, "METHOD_NOT_ALLOWED", null },

        { "GET", "/api/notifications", null, null, Anonymous, 401, "INVALID_API_KEY", null },
        { "GET", "/api/notifications?limit=abc", null, null, Anonymous, 401, "INVALID_API_KEY", null },
        { "GET", "/api/admin/dlq", null, null, Service, 403, "FORBIDDEN", null },
        { "GET", "/api/admin/dlq?cursor=x", null, null, Service, 403, "FORBIDDEN", null },

        { "POST", "/api/notifications", "application/json", OversizedBody, Service, 413, "PAYLOAD_TOO_LARGE", null },
        { "POST", "/api/notifications", "text/plain", "eventType=a", Service, 415, "UNSUPPORTED_MEDIA_TYPE", null },
        { "POST", "/api/admin/api-keys", "application/x-www-form-urlencoded", "name=a", Admin, 415, "UNSUPPORTED_MEDIA_TYPE", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answers_a_problem_detail_with_a_code(
        string method, string path, string? contentType, string? body, string caller, int status, string code, string? field)
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var http = caller switch
        {
            Admin => fixture.Node.Client(tenant.AdminKey),
            Service => fixture.Node.Client(await tenant.CreateServiceKeyAsync()),
            _ => fixture.Node.Client(),
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            var text = body == OversizedBody ? "{\"eventType\":\"a\",\"payload\":{\"x\":\"" + new string('x', 300 * 1024) + "\"}}" : body;
            request.Content = new StringContent(text, Encoding.UTF8, contentType!);
            // Lets the server refuse an oversized body before the upload instead of resetting mid-send.
            request.Headers.ExpectContinue = true;
        }

        using var response = await http.SendAsync(request);
        var problem = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).Should().Be(status, problem);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", problem);
        var json = JsonDocument.Parse(problem).RootElement;
        json.GetProperty("code").GetString().Should().Be(code, problem);
        json.GetProperty("status").GetInt32().Should().Be(status, problem);
        if (field is not null)
        {
            json.GetProperty("errors").TryGetProperty(field, out var messages).Should().BeTrue($"errors should name {field}: {problem}");
            messages.EnumerateArray().Should().ContainSingle().Which.GetString().Should().Contain(field);
        }
    }

    [Theory]
    [InlineData("/api/notifications/not-a-uuid", 404, "NOT_FOUND")]
    [InlineData("/api/notifications/00000000-0000-0000-0000-000000000001", 404, "NOT_FOUND")]
    [InlineData("/api/notifications?limit=abc", 400, "VALIDATION_FAILED")]
    public async Task A_client_asking_for_html_still_gets_a_problem_detail(string path, int status, string code)
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await tenant.Http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(status);
        (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be(code);
    }

    [Fact]
    public async Task A_binding_failure_names_what_the_parameter_takes()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var limit = await (await tenant.Http.GetAsync("/api/notifications?limit=abc")).ProblemAsync();
        var from = await (await tenant.Http.GetAsync("/api/notifications?from=notadate")).ProblemAsync();

        limit.GetProperty("errors").GetProperty("limit")[0].GetString().Should().Be("limit must be a whole number.");
        from.GetProperty("errors").GetProperty("from")[0].GetString().Should().StartWith("from must be an ISO 8601 date-time");
    }

    [Fact]
    public async Task Each_list_pages_with_its_own_cursor_and_refuses_the_others()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.SetDefault(400); // a 4xx dead-letters at once
        var sent = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add((await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url))).RequestId);
        }

        foreach (var id in sent)
        {
            await tenant.Http.WaitForStatusAsync(id, NotificationStatus.Failed);
        }

        var endpoint = (await tenant.Http.CreateEndpointAsync("https://127.0.0.1:1/hook", [StatusWebhookEvents.Sent])).Endpoint.Id;
        var pings = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            pings.Add((await tenant.Http.PingAsync(endpoint)).Id);
        }

        var notifications = await PageThroughAsync<NotificationView>(tenant.Http, "/api/notifications?limit=2");
        var deadLetters = await PageThroughAsync<DeadLetterView>(tenant.Http, "/api/admin/dlq?limit=2");
        var deliveries = await PageThroughAsync<WebhookDeliveryView>(tenant.Http, $"/api/webhooks/{endpoint}/deliveries?limit=2");

        notifications.Items.Select(n => n.RequestId).Should().BeEquivalentTo(sent);
        deadLetters.Items.Select(d => d.RequestId).Should().BeEquivalentTo(sent);
        deliveries.Items.Select(d => d.Id).Should().Equal(Enumerable.Reverse(pings));

        await ShouldRefuseCursorAsync(tenant.Http, $"/api/admin/dlq?cursor={notifications.Cursor}");
        await ShouldRefuseCursorAsync(tenant.Http, $"/api/webhooks/{endpoint}/deliveries?cursor={notifications.Cursor}");
        await ShouldRefuseCursorAsync(tenant.Http, $"/api/notifications?cursor={deadLetters.Cursor}");
        await ShouldRefuseCursorAsync(tenant.Http, $"/api/notifications?cursor={deliveries.Cursor}");
    }

    /// <summary>Every item of a two-page list, and the cursor the first page gave.</summary>
    private static async Task<(List<T> Items, string Cursor)> PageThroughAsync<T>(HttpClient http, string firstPage)
    {
        var first = await ReadPageAsync<T>(http, firstPage);
        first.Items.Should().HaveCount(2);
        first.NextCursor.Should().NotBeNull();
        var second = await ReadPageAsync<T>(http, $"{firstPage}&cursor={first.NextCursor}");
        second.Items.Should().ContainSingle();
        second.NextCursor.Should().BeNull();
        return ([.. first.Items, .. second.Items], first.NextCursor!);
    }

    private static async Task<Page<T>> ReadPageAsync<T>(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<Page<T>>();
    }

    private static async Task ShouldRefuseCursorAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, url);
        (await response.ProblemAsync()).GetProperty("errors").TryGetProperty("cursor", out _).Should().BeTrue(url);
    }

    private static string Base64Url(string text) =>
        System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
