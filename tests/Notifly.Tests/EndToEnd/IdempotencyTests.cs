// Idempotency as seed 000 and Stripe define it: unique (tenant, key); same key + same payload
// replays the first response with Idempotent-Replayed; a different payload is a 409; concurrent
// requests with one key create one notification. Runs against a real node and database.
using System.Net;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class IdempotencyTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const string Hook = "http://127.0.0.1:9/hook";

    [Fact]
    public async Task Replays_first_response_for_same_idempotency_key()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var request = Calls.Webhook(Hook, idempotencyKey: "order-42");

        var first = await tenant.Http.SendAsync(request);
        var second = await tenant.Http.SendAsync(request);

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().Be(HttpStatusCode.Accepted);
        first.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
        second.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await second.ReadAsync<NotificationAccepted>()).Should().Be(await first.ReadAsync<NotificationAccepted>());
        (await CountAsync(tenant)).Should().Be(1);
    }

    [Fact]
    public async Task Replays_scheduled_as_the_first_response_said()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var request = new
        {
            eventType = "reminder", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = Hook }, payload = new { },
            sendAt = DateTimeOffset.UtcNow.AddHours(2).ToString("O"), idempotencyKey = "later",
        };
        var first = await tenant.Http.SendOkAsync(request);
        var replay = await tenant.Http.SendAsync(request);

        first.Status.Should().Be(NotificationStatus.Scheduled);
        (await replay.ReadAsync<NotificationAccepted>()).Should().Be(first);
    }

    [Fact]
    public async Task Header_key_and_body_key_are_the_same_key()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var first = await tenant.Http.SendAsync(Calls.Webhook(Hook, idempotencyKey: "k-1"));
        var second = await tenant.Http.SendAsync(Calls.Webhook(Hook), idempotencyKey: "k-1");

        second.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await second.ReadAsync<NotificationAccepted>()).RequestId.Should().Be((await first.ReadAsync<NotificationAccepted>()).RequestId);
    }

    [Fact]
    public async Task Rejects_same_key_with_a_different_payload_with_409()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var first = await tenant.Http.SendOkAsync(Calls.Webhook(Hook, payload: new { amount = 1 }, idempotencyKey: "pay-1"));

        var conflict = await tenant.Http.SendAsync(Calls.Webhook(Hook, payload: new { amount = 2 }, idempotencyKey: "pay-1"));

        conflict.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await conflict.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("IDEMPOTENT_CONFLICT");
        problem.GetProperty("requestId").GetGuid().Should().Be(first.RequestId);
        (await CountAsync(tenant)).Should().Be(1);
    }

    [Fact]
    public async Task Same_key_in_two_tenants_is_two_notifications()
    {
        var a = await fixture.Node.CreateTenantAsync();
        var b = await fixture.Node.CreateTenantAsync();
        var first = await a.Http.SendOkAsync(Calls.Webhook(Hook, idempotencyKey: "shared"));
        var second = await b.Http.SendOkAsync(Calls.Webhook(Hook, idempotencyKey: "shared"));
        second.RequestId.Should().NotBe(first.RequestId);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_notification()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var request = Calls.Webhook(Hook, idempotencyKey: "race");

        // Separate connections, so the requests really race across intake batches and writers.
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var http = fixture.Node.Client(tenant.AdminKey);
            var response = await http.SendAsync(request);
            return (response.StatusCode, Body: await response.ReadAsync<NotificationAccepted>(),
                Replayed: response.Headers.Contains("Idempotent-Replayed"));
        }));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Accepted);
        responses.Select(r => r.Body.RequestId).Distinct().Should().ContainSingle();
        responses.Count(r => !r.Replayed).Should().Be(1, "exactly one request created it");
        (await CountAsync(tenant)).Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_and_different_payloads_conflict()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var http = fixture.Node.Client(tenant.AdminKey);
            return (await http.SendAsync(Calls.Webhook(Hook, payload: new { i }, idempotencyKey: "race-diff"))).StatusCode;
        }));

        responses.Count(s => s == HttpStatusCode.Accepted).Should().Be(1);
        responses.Count(s => s == HttpStatusCode.Conflict).Should().Be(19);
        (await CountAsync(tenant)).Should().Be(1);
    }

    private static async Task<int> CountAsync(TestTenant tenant) =>
        (await (await tenant.Http.GetAsync("/api/notifications?limit=500")).ReadAsync<Page<NotificationView>>()).Items.Count;
}
