// The bad-input corpus: hostile and careless requests of every kind — text PostgreSQL cannot store
// (NUL, unpaired surrogates, invalid UTF-8) in every field that stores text, numbers where names
// belong, dates out of range, malformed ids and bodies, wrong methods, missing keys — plus every
// case of ProblemShapeTests. Each must get a 4xx application/problem+json with a code and leave
// every row of its tenant as it was; fired all at once beside another tenant's valid traffic,
// not one valid request may fail. Real node, real database. Per-item refusals inside a batch
// (a 200 with item results) are BatchIsolationTests'.
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class BadInputCorpusTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    public sealed record BadInput(string Method, string Path, string? ContentType, byte[]? Body, string Caller, int Status, string Code, string? Field)
    {
        public override string ToString() => $"{Method} {Path} {(Body is null ? "" : Encoding.UTF8.GetString(Body)[..Math.Min(Body.Length, 120)])}";
    }

    private const string Json = "application/json";
    private const string Admin = "admin";
    private const string Service = "service";
    private const string Anonymous = "none";
    private const string Valid = "VALIDATION_FAILED";
    private const string Webhook = "\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://127.0.0.1:9/\"}";

    public static IReadOnlyList<BadInput> Corpus { get; } = Build();

    [Fact]
    public void The_corpus_holds_at_least_80_cases() => Corpus.Should().HaveCountGreaterThanOrEqualTo(80);

    [Fact]
    public async Task Every_case_gets_a_coded_problem_and_changes_no_row()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var service = fixture.Node.Client(await tenant.CreateServiceKeyAsync());
        using var anonymous = fixture.Node.Client();
        var failures = new List<string>();
        foreach (var input in Corpus)
        {
            var before = await TenantFingerprint.TakeAsync(fixture.ConnectionString, tenant.Id);
            var (status, body, mediaType) = await SendAsync(Pick(input, tenant.Http, service, anonymous), input);
            var after = await TenantFingerprint.TakeAsync(fixture.ConnectionString, tenant.Id);
            if (Judge(input, status, body, mediaType) is { } wrong)
            {
                failures.Add($"{input}: {wrong}");
            }

            var changed = after.Where(t => before[t.Key] != t.Value).Select(t => t.Key).ToArray();
            if (changed.Length > 0)
            {
                failures.Add($"{input}: changed rows in {string.Join(", ", changed)}");
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task The_corpus_fired_beside_another_tenants_valid_traffic_fails_none_of_it()
    {
        var hostile = await fixture.Node.CreateTenantAsync();
        var bystander = await fixture.Node.CreateTenantAsync();
        using var service = fixture.Node.Client(await hostile.CreateServiceKeyAsync());
        using var anonymous = fixture.Node.Client();
        var before = await TenantFingerprint.TakeAsync(fixture.ConnectionString, hostile.Id);

        var valid = new ConcurrentBag<(int Status, string Body)>();
        var wrong = new ConcurrentBag<string>();
        var attacks = Enumerable.Range(0, 3).SelectMany(_ => Corpus).Select(async input =>
        {
            var (status, body, mediaType) = await SendAsync(Pick(input, hostile.Http, service, anonymous), input);
            if (Judge(input, status, body, mediaType) is { } problem)
            {
                wrong.Add($"{input}: {problem}");
            }
        });
        var sends = Enumerable.Range(0, 300).Select(async i =>
        {
            using var response = await bystander.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", payload: new { n = i }));
            valid.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        });
        await Task.WhenAll(attacks.Concat(sends));

        valid.Where(v => v.Status != 202).Should().BeEmpty("no valid request of another tenant may fail");
        (await bystander.Http.ListAllIdsAsync()).Should().HaveCount(300);
        wrong.Should().BeEmpty();
        (await TenantFingerprint.TakeAsync(fixture.ConnectionString, hostile.Id)).Should().Equal(before);
    }

    private static HttpClient Pick(BadInput input, HttpClient admin, HttpClient service, HttpClient anonymous) => input.Caller switch
    {
        Admin => admin,
        Service => service,
        _ => anonymous,
    };

    private static async Task<(int Status, string Body, string? MediaType)> SendAsync(HttpClient http, BadInput input)
    {
        using var request = new HttpRequestMessage(new HttpMethod(input.Method), input.Path);
        if (input.Body is not null)
        {
            request.Content = new ByteArrayContent(input.Body);
            if (input.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(input.ContentType);
            }

            request.Headers.ExpectContinue = input.Body.Length > 64 * 1024;
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>What is wrong with the answer, or null when it is the expected coded problem.</summary>
    private static string? Judge(BadInput input, int status, string body, string? mediaType)
    {
        if (status != input.Status)
        {
            return $"status {status}, expected {input.Status}: {body}";
        }

        if (mediaType != "application/problem+json")
        {
            return $"content type {mediaType}: {body}";
        }

        var problem = JsonDocument.Parse(body).RootElement;
        if (!problem.TryGetProperty("code", out var code) || code.GetString() != input.Code)
        {
            return $"code {(problem.TryGetProperty("code", out var c) ? c.GetString() : "missing")}, expected {input.Code}: {body}";
        }

        if (input.Field is not null && !(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(input.Field, out _)))
        {
            return $"errors do not name {input.Field}: {body}";
        }

        return null;
    }

    private static IReadOnlyList<BadInput> Build()
    {
        var cases = new List<BadInput>();
        void Send(string body, string? field, string code = Valid, int status = 400, string path = "/api/notifications") =>
            cases.Add(new BadInput("POST", path, Json, Encoding.UTF8.GetBytes(body), Service, status, code, field));
        void Raw(byte[] body, string? field, string path = "/api/notifications", string method = "POST", string caller = Service) =>
            cases.Add(new BadInput(method, path, Json, body, caller, 400, Valid, field));
        void AdminBody(string method, string path, string body, string? field, string code = Valid, int status = 400) =>
            cases.Add(new BadInput(method, path, Json, Encoding.UTF8.GetBytes(body), Admin, status, code, field));
        void Get(string path, int status, string code, string? field, string caller = Admin) =>
            cases.Add(new BadInput("GET", path, null, null, caller, status, code, field));
        byte[] Bytes(string before, byte[] bad, string after) => [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];

        // Malformed and incomplete requests.
        Send("{", "$");
        Send("[]", "$");
        Send("null", "$");
        Send("{\"eventType\":\"a\",\"payload\":{}," + Webhook + "} {}", "$");
        Send("{\"payload\":{}," + Webhook + "}", "eventType");
        Send("{\"eventType\":\"a\"," + Webhook + "}", "payload");
        Send("{\"eventType\":\"a\",\"payload\":\"text\"," + Webhook + "}", "payload");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"FAX\"]}", "$.channels[0]");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[3],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "$.channels[0]");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"EMAIL\"],\"recipient\":{\"email\":\"not-an-email\"}}", "recipient.email");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"ftp://x\"}}", "recipient.webhookUrl");
        Send("{\"eventType\":\"a\",\"payload\":{}}", "channels");
        Send("{\"eventType\":\"a b\",\"payload\":{}," + Webhook + "}", "eventType");
        Send("{\"eventType\":\"" + new string('e', 101) + "\",\"payload\":{}," + Webhook + "}", "eventType");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"SMS\"],\"recipient\":{\"phone\":\"+15551234567\"}}", "channels", "CHANNEL_DISABLED");
        Send("{\"eventType\":\"a\",\"payload\":{},\"idempotencyKey\":\"" + new string('k', 256) + "\"," + Webhook + "}", "idempotencyKey");
        Send("{\"eventType\":\"a\",\"payload\":{},\"subject\":\"" + new string('s', 999) + "\"," + Webhook + "}", "subject");
        Send("{\"eventType\":\"a\",\"payload\":{\"x\":\"" + new string('x', 70_000) + "\"}," + Webhook + "}", "payload");
        Send("{\"eventType\":\"a\",\"payload\":{},\"template\":\"welcome\",\"subject\":\"hi\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "template");
        Send("{\"eventType\":\"a\",\"payload\":{},\"templateVersion\":2," + Webhook + "}", "templateVersion");
        Send("{\"eventType\":\"a\",\"payload\":{},\"template\":\"welcome\",\"locale\":\"not a locale!\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "locale");
        Send("{\"eventType\":\"a\",\"payload\":{},\"template\":\"no-such-template\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", null, "TEMPLATE_NOT_FOUND", 404);

        // Strict values: priority by its names only, sendAt within its window.
        Send("{\"eventType\":\"a\",\"payload\":{},\"priority\":\"urgent\"," + Webhook + "}", "$.priority");
        Send("{\"eventType\":\"a\",\"payload\":{},\"priority\":1," + Webhook + "}", "$.priority");
        Send("{\"eventType\":\"a\",\"payload\":{},\"priority\":99," + Webhook + "}", "$.priority");
        Send("{\"eventType\":\"a\",\"payload\":{},\"priority\":\"1\"," + Webhook + "}", "$.priority");
        Send("{\"eventType\":\"a\",\"payload\":{},\"sendAt\":\"1900-01-01T00:00:00Z\"," + Webhook + "}", "sendAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"sendAt\":\"" + DateTimeOffset.UtcNow.AddDays(-2).ToString("O") + "\"," + Webhook + "}", "sendAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"sendAt\":\"" + DateTimeOffset.UtcNow.AddYears(2).ToString("O") + "\"," + Webhook + "}", "sendAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"sendAt\":\"tomorrow\"," + Webhook + "}", "$.sendAt");

        // expiresAt: in the future, after sendAt, within its window.
        Send("{\"eventType\":\"a\",\"payload\":{},\"expiresAt\":\"" + DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O") + "\"," + Webhook + "}", "expiresAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"sendAt\":\"" + DateTimeOffset.UtcNow.AddHours(2).ToString("O") + "\",\"expiresAt\":\""
            + DateTimeOffset.UtcNow.AddHours(1).ToString("O") + "\"," + Webhook + "}", "expiresAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"expiresAt\":\"" + DateTimeOffset.UtcNow.AddYears(2).ToString("O") + "\"," + Webhook + "}", "expiresAt");
        Send("{\"eventType\":\"a\",\"payload\":{},\"expiresAt\":\"soon\"," + Webhook + "}", "$.expiresAt");

        // Text PostgreSQL cannot store, in every field of a notification that stores text.
        Send("{\"eventType\":\"a\",\"payload\":{},\"subject\":\"a\\u0000b\"," + Webhook + "}", "$.subject");
        Send("{\"eventType\":\"a\",\"payload\":{},\"subject\":\"a\\ud800b\"," + Webhook + "}", "$.subject");
        Send("{\"eventType\":\"a\",\"payload\":{},\"body\":\"\\u0000\"," + Webhook + "}", "$.body");
        Send("{\"eventType\":\"a\",\"payload\":{},\"body\":\"tail \\udfff\"," + Webhook + "}", "$.body");
        Send("{\"eventType\":\"a\",\"payload\":{\"k\":\"\\u0000\"}," + Webhook + "}", "$.payload.k");
        Send("{\"eventType\":\"a\",\"payload\":{\"\\u0000\":1}," + Webhook + "}", "$.payload");
        Send("{\"eventType\":\"a\",\"payload\":{\"k\":\"\\ud800\"}," + Webhook + "}", "$.payload.k");
        Send("{\"eventType\":\"a\",\"payload\":{\"list\":[1,{\"deep\":[\"ok\",\"\\udbff\"]}]}," + Webhook + "}", "$.payload.list[1].deep[1]");
        Send("{\"eventType\":\"a\\u0000\",\"payload\":{}," + Webhook + "}", "$.eventType");
        Send("{\"eventType\":\"a\",\"payload\":{},\"userId\":\"u\\u0000\"," + Webhook + "}", "$.userId");
        Send("{\"eventType\":\"a\",\"payload\":{},\"idempotencyKey\":\"k\\u0000\"," + Webhook + "}", "$.idempotencyKey");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"EMAIL\"],\"recipient\":{\"email\":\"a\\u0000@example.com\"}}", "$.recipient.email");
        Send("{\"eventType\":\"a\",\"payload\":{},\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x/\\u0000\"}}", "$.recipient.webhookUrl");
        Send("{\"eventType\":\"a\",\"payload\":{},\"template\":\"t\\u0000\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://x\"}}", "$.template");
        Raw(Bytes("{\"eventType\":\"a\",\"subject\":\"x", [0xFF, 0xFE], "\",\"payload\":{}," + Webhook + "}"), "$.subject");
        Raw(Bytes("{\"eventType\":\"a\",\"payload\":{\"k\":\"x", [0xC3, 0x28], "\"}," + Webhook + "}"), "$.payload.k");
        Raw(Bytes("{\"eventType\":\"a\",\"payload\":{\"", [0xED, 0xA0, 0x80], "\":1}," + Webhook + "}"), "$.payload"); // a surrogate in UTF-8 form

        // The batch's envelope (its items are answered one by one: BatchIsolationTests).
        Send("{\"notifications\":[]}", "notifications", path: "/api/notifications/batch");
        Send("{\"notifications\":\"all of them\"}", "$.notifications", path: "/api/notifications/batch");
        Send("[]", "$", path: "/api/notifications/batch");
        Send("{\"notifications\":[" + string.Join(',', Enumerable.Repeat("{}", 1001)) + "]}", "notifications", path: "/api/notifications/batch");
        Send("{\"notifications\":[],\"note\":\"\\u0000\"}", "$.note", path: "/api/notifications/batch");

        // Query strings, paths and forms.
        Get("/api/notifications?eventType=a%00b", 400, Valid, "eventType");
        Get("/api/notifications?status=%ED%A0%80", 400, Valid, "status");
        Get("/api/notifications?status=bogus", 400, Valid, "status");
        Get("/api/notifications?channel=FAX", 400, Valid, "channel");
        Get("/api/admin/settings/retry-policies/preview?eventType=a%00", 400, Valid, "eventType");
        Get($"/api/notifications/{Guid.NewGuid()}", 404, "NOT_FOUND", null);
        Get($"/api/notifications/{Guid.NewGuid()}/events", 404, "NOT_FOUND", null);
        cases.Add(new BadInput("POST", $"/api/notifications/{Guid.NewGuid()}/cancel", null, null, Admin, 404, "NOT_FOUND", null));
        cases.Add(new BadInput("POST", $"/api/admin/dlq/{Guid.NewGuid()}/retry", null, null, Admin, 404, "NOT_FOUND", null));
        // (A %00 in the path never gets this far: Kestrel refuses the request line with a bare 400.)
        cases.Add(new BadInput("PUT", "/api/recipients/u%ED%A0%80x", Json, Encoding.UTF8.GetBytes("{\"email\":\"a\\u0000@example.com\"}"), Admin, 400, Valid, "$.email"));
        cases.Add(new BadInput("POST", "/api/providers/twilio/callbacks/status", "application/x-www-form-urlencoded",
            Encoding.UTF8.GetBytes("MessageSid=SM%00&MessageStatus=delivered"), Anonymous, 400, Valid, "$"));
        cases.Add(new BadInput("POST", "/api/providers/sendgrid/callbacks/events", "application/x-www-form-urlencoded",
            Encoding.UTF8.GetBytes("x=%00"), Anonymous, 400, Valid, "$"));
        cases.Add(new BadInput("DELETE", "/api/notifications", null, null, Admin, 405, "METHOD_NOT_ALLOWED", null));
        cases.Add(new BadInput("POST", "/api/notifications", Json, Encoding.UTF8.GetBytes("{}"), Anonymous, 401, "INVALID_API_KEY", null));
        cases.Add(new BadInput("POST", "/api/notifications", null, Encoding.UTF8.GetBytes("{}"), Service, 415, "UNSUPPORTED_MEDIA_TYPE", null));

        // Every other endpoint that stores text.
        AdminBody("POST", "/api/admin/api-keys", "{\"name\":\"a\\u0000\",\"role\":\"SERVICE\"}", "$.name");
        AdminBody("POST", "/api/admin/api-keys", "{\"name\":\"ops\",\"role\":\"ROOT\"}", "role");
        cases.Add(new BadInput("POST", "/api/admin/api-keys", Json, Encoding.UTF8.GetBytes("{\"name\":\"ops\"}"), Service, 403, "FORBIDDEN", null));
        AdminBody("PUT", "/api/admin/settings", "{\"retryPolicies\":{\"eventTypes\":{\"a\\u0000\":{\"maxAttempts\":2}}}}", "$.retryPolicies.eventTypes");
        AdminBody("PUT", "/api/admin/settings", "{\"channelFallback\":{\"otp\\ud800\":[\"EMAIL\"]}}", "$.channelFallback");
        AdminBody("PUT", "/api/admin/settings", "{\"rateLimits\":{\"requestsPerMinute\":-5}}", null);
        AdminBody("PUT", "/api/admin/settings", "{\"rateLimits\":", "$");
        AdminBody("POST", "/api/admin/templates", "{\"name\":\"welcome\",\"channel\":\"EMAIL\",\"subject\":\"Hi\",\"body\":\"Hello \\u0000\"}", "$.body");
        AdminBody("POST", "/api/admin/templates", "{\"name\":\"wel\\u0000come\",\"channel\":\"EMAIL\",\"subject\":\"Hi\",\"body\":\"Hello\"}", "$.name");
        AdminBody("POST", "/api/admin/templates", "{\"name\":\"welcome\",\"channel\":\"EMAIL\",\"subject\":\"\\ud800\",\"body\":\"Hello\"}", "$.subject");
        AdminBody("POST", "/api/admin/templates", "{\"channel\":\"EMAIL\"}", null);
        AdminBody("POST", "/api/admin/templates/welcome/preview", "{\"channel\":\"EMAIL\",\"variables\":{\"name\":\"\\u0000\"}}", "$.variables.name");
        AdminBody("PUT", "/api/recipients/u1", "{\"email\":\"a@example.com\",\"timezone\":\"Europe/\\u0000\"}", "$.timezone");
        AdminBody("PUT", "/api/recipients/u1", "{\"pushTokens\":[\"ok\",\"\\udc00\"]}", "$.pushTokens[1]");
        AdminBody("PUT", "/api/recipients/u1/preferences", "{\"eventTypes\":{\"promo\\u0000\":{\"EMAIL\":false}}}", "$.eventTypes");
        AdminBody("POST", "/api/webhooks", "{\"url\":\"https://hooks.example.com/\\u0000\",\"events\":[\"notification.sent\"]}", "$.url");
        AdminBody("POST", "/api/webhooks", "{\"url\":\"https://hooks.example.com/\",\"events\":[\"notification.sent\"],\"headers\":{\"X-Env\":\"a\\u0000\"}}", "$.headers['X-Env']");
        AdminBody("POST", "/api/webhooks", "{\"url\":\"https://hooks.example.com/\",\"events\":[\"notification.sent\"],\"description\":\"\\ud83d\"}", "$.description");
        AdminBody("POST", "/api/webhooks", "{\"url\":\"http://169.254.169.254/latest\",\"events\":[\"notification.sent\"]}", null, "DESTINATION_NOT_ALLOWED");
        AdminBody("POST", "/api/admin/providers",
            "{\"name\":\"sg\",\"kind\":\"sendgrid\",\"settings\":{\"from\":\"a\\u0000@example.com\"},\"credentials\":{\"apiKey\":\"SG.x\"}}", "$.settings.from");
        AdminBody("POST", "/api/admin/providers",
            "{\"name\":\"sg\",\"kind\":\"sendgrid\",\"settings\":{\"from\":\"a@example.com\"},\"credentials\":{\"apiKey\":\"SG.\\ud800\"}}", "$.credentials.apiKey");

        // And every case of the problem-shape suite.
        foreach (var row in ProblemShapeTests.Cases)
        {
            var body = row[3] as string;
            cases.Add(new BadInput((string)row[0], (string)row[1], (string?)row[2],
                body is null ? null : Encoding.UTF8.GetBytes(body == "<oversized>" ? "{\"eventType\":\"a\",\"payload\":{\"x\":\"" + new string('x', 300 * 1024) + "\"}}" : body),
                (string)row[4], (int)row[5], (string)row[6], (string?)row[7]));
        }

        return cases;
    }
}
