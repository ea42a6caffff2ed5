// /api/webhooks through a real node: bad input is refused with problem codes and stores nothing
// (SSRF to the metadata address included, on a node that does allow loopback), the listing of
// deliveries pages and filters, another tenant finds none of an endpoint's routes, and the
// signing secret is shown once: never in later responses, the logs or the database in clear.
// Refusals that need a differently configured node are in StatusWebhookRegistrationTests.
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.StatusWebhooks;

public class StatusWebhookApiTests(StatusWebhookNodeFixture fixture) : IClassFixture<StatusWebhookNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public static TheoryData<string, string, string> BadEndpoints => new()
    {
        { """{"events":["notification.sent"]}""", "url", "VALIDATION_FAILED" },
        { """{"url":"ftp://127.0.0.1/x","events":["notification.sent"]}""", "url", "VALIDATION_FAILED" },
        { """{"url":"https://user:pw@127.0.0.1/x","events":["notification.sent"]}""", "url", "VALIDATION_FAILED" },
        { """{"url":"http://93.184.215.14/hook","events":["notification.sent"]}""", "url", "VALIDATION_FAILED" },
        { """{"url":"https://nonexistent.invalid/hook","events":["notification.sent"]}""", "url", "VALIDATION_FAILED" },
        { """{"url":"https://169.254.169.254/latest/meta-data","events":["notification.sent"]}""", "url", "DESTINATION_NOT_ALLOWED" },
        { """{"url":"https://10.1.2.3/hook","events":["notification.sent"]}""", "url", "DESTINATION_NOT_ALLOWED" },
        { """{"url":"https://127.0.0.1/x"}""", "events", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":[]}""", "events", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.opened"]}""", "events", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.sent"],"headers":{"webhook-signature":"v1,forged"}}""", "headers", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.sent"],"headers":{"Content-Type":"text/plain"}}""", "headers", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.sent"],"headers":{"X-Evil":"a\r\nHost: elsewhere"}}""", "headers", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.sent"],"headers":{"Bad Name":"x"}}""", "headers", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":["notification.sent"],"timeoutSeconds":31}""", "timeoutSeconds", "VALIDATION_FAILED" },
        { """{"url":"https://127.0.0.1/x","events":"notification.sent"}""", "$.events", "VALIDATION_FAILED" },
    };

    [Theory]
    [MemberData(nameof(BadEndpoints))]
    public async Task A_bad_endpoint_is_refused_with_a_code_and_nothing_is_stored(string body, string field, string code)
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var response = await tenant.Http.PostAsync("/api/webhooks", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be(code);
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue(problem.ToString());
        (await (await tenant.Http.GetAsync("/api/webhooks")).ReadAsync<List<WebhookEndpointView>>()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_bad_update_is_refused_and_leaves_the_endpoint_as_it_was()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync("https://127.0.0.1:1/hook", [StatusWebhookEvents.Sent]);

        var refused = await tenant.Http.PutAsJsonAsync($"/api/webhooks/{endpoint.Endpoint.Id}",
            new { url = "https://169.254.169.254/", events = new[] { StatusWebhookEvents.Failed } }, Json.Options);
        var updated = await tenant.Http.PutAsJsonAsync($"/api/webhooks/{endpoint.Endpoint.Id}",
            new { url = "https://127.0.0.1:2/hook", events = new[] { StatusWebhookEvents.Failed }, description = "ops", timeoutSeconds = 3 }, Json.Options);

        (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("DESTINATION_NOT_ALLOWED");
        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        var view = await tenant.Http.GetEndpointAsync(endpoint.Endpoint.Id);
        (view.Url, view.Description, view.TimeoutSeconds).Should().Be(("https://127.0.0.1:2/hook", "ops", 3));
        view.Events.Should().Equal(StatusWebhookEvents.Failed);
    }

    [Fact]
    public async Task Deliveries_are_listed_newest_first_page_by_page_and_by_status()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.EnqueueResponse(404);
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        var id = endpoint.Endpoint.Id;
        var pings = new List<WebhookDeliveryView>();
        for (var i = 0; i < 3; i++)
        {
            var ping = await tenant.Http.PingAsync(id);
            await tenant.Http.WaitForDeliveryAsync(id, ping.Id, d => d.Status is WebhookDeliveryStatus.Succeeded or WebhookDeliveryStatus.Failed, Wait);
            pings.Add(ping);
        }

        var first = await tenant.Http.DeliveriesAsync(id, "?limit=2");
        var second = await tenant.Http.DeliveriesAsync(id, $"?limit=2&cursor={first.NextCursor}");
        var failed = await tenant.Http.DeliveriesAsync(id, "?status=failed");

        first.Items.Concat(second.Items).Select(d => d.Id).Should().Equal(pings.Select(p => p.Id).Reverse());
        second.NextCursor.Should().BeNull();
        failed.Items.Should().ContainSingle().Which.Id.Should().Be(pings[0].Id);
        first.Items[0].Payload.GetProperty("data").GetProperty("endpointId").GetGuid().Should().Be(id);
        (await tenant.Http.GetAsync($"/api/webhooks/{id}/deliveries?status=lost")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Http.GetAsync($"/api/webhooks/{id}/deliveries?limit=0")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tenant.Http.GetAsync($"/api/webhooks/{Guid.NewGuid()}/deliveries")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await tenant.Http.PostAsync($"/api/webhooks/{id}/deliveries/{Guid.NewGuid()}/redeliver", null)).StatusCode
            .Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_tenant_cannot_see_change_rotate_or_redeliver_an_endpoint()
    {
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await a.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        var id = endpoint.Endpoint.Id;
        var ping = await a.Http.PingAsync(id);
        await a.Http.WaitForStatusAsync(id, ping.Id, WebhookDeliveryStatus.Succeeded, Wait);
        var change = new { url = "https://127.0.0.1:9/stolen", events = new[] { StatusWebhookEvents.Sent } };

        (await (await b.Http.GetAsync("/api/webhooks")).ReadAsync<List<WebhookEndpointView>>()).Should().BeEmpty();
        var attempts = new[]
        {
            await b.Http.GetAsync($"/api/webhooks/{id}"),
            await b.Http.PutAsJsonAsync($"/api/webhooks/{id}", change, Json.Options),
            await b.Http.PostAsync($"/api/webhooks/{id}/rotate-secret", null),
            await b.Http.PostAsync($"/api/webhooks/{id}/enable", null),
            await b.Http.PostAsync($"/api/webhooks/{id}/test", null),
            await b.Http.GetAsync($"/api/webhooks/{id}/deliveries"),
            await b.Http.PostAsync($"/api/webhooks/{id}/deliveries/{ping.Id}/redeliver", null),
            await b.Http.DeleteAsync($"/api/webhooks/{id}"),
        };

        attempts.Select(r => r.StatusCode).Should().OnlyContain(s => s == HttpStatusCode.NotFound);
        var untouched = await a.Http.GetEndpointAsync(id);
        (untouched.Url, untouched.PreviousSecretExpiresAt).Should().Be((receiver.Url, null));
        (await a.Http.DeliveriesAsync(id)).Items.Should().ContainSingle(d => d.AttemptCount == 1);
        receiver.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_never_in_later_responses_the_logs_or_the_database()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await tenant.Http.CreateEndpointAsync(receiver.Url, [StatusWebhookEvents.Created]);
        var id = endpoint.Endpoint.Id;
        var rotated = await (await tenant.Http.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).ReadAsync<WebhookSecretRotated>();
        var ping = await tenant.Http.PingAsync(id);
        await tenant.Http.WaitForStatusAsync(id, ping.Id, WebhookDeliveryStatus.Succeeded, Wait);
        await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/channel")));

        rotated.Secret.Should().StartWith("whsec_").And.NotBe(endpoint.Secret);
        var responses = string.Concat(
            await tenant.Http.GetStringAsync("/api/webhooks"),
            await tenant.Http.GetStringAsync($"/api/webhooks/{id}"),
            await tenant.Http.GetStringAsync($"/api/webhooks/{id}/deliveries"),
            await (await tenant.Http.PutAsJsonAsync($"/api/webhooks/{id}", new { url = receiver.Url, events = new[] { "notification.sent" } }, Json.Options))
                .Content.ReadAsStringAsync());
        var logs = string.Join('\n', fixture.Logs.Lines);
        foreach (var secret in new[] { endpoint.Secret, rotated.Secret })
        {
            var key = secret["whsec_".Length..];
            responses.Should().NotContain(key);
            logs.Should().NotContain(key);
            (await StoredSecretsAsync(id)).Should().NotContain(stored => Encoding.ASCII.GetString(stored).Contains(key, StringComparison.Ordinal));
        }

        (await StoredSecretsAsync(id)).Should().HaveCount(2, "the current and the rotated-out secret are both stored, sealed");
    }

    private async Task<List<byte[]>> StoredSecretsAsync(Guid endpointId)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = endpointId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [.. new[] { 0, 1 }.Where(i => !reader.IsDBNull(i)).Select(i => reader.GetFieldValue<byte[]>(i))];
    }
}
