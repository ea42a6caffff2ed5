// Batch intake (1,000 in one call, a result per item) and listing: filters by status, channel,
// event type and time, with keyset pagination that neither skips nor repeats rows.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Api.Notifications;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class BatchAndListingTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Accepts_a_thousand_notifications_in_one_call_with_a_result_per_item()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var items = Enumerable.Range(0, 1000).Select(i => i switch
        {
            7 => new { eventType = "", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = "http://127.0.0.1:9/" }, payload = (object)new { i }, idempotencyKey = (string?)null },
            8 or 9 => new { eventType = "bulk", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = "http://127.0.0.1:9/" }, payload = (object)new { i = 8 }, idempotencyKey = (string?)"dup" },
            // ~1 KB payloads make the body ~1.1 MB: over the 256 KB limit of other endpoints, within the batch's 8 MB.
            _ => new { eventType = "bulk", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = "http://127.0.0.1:9/" }, payload = (object)new { i, pad = new string('x', 1000) }, idempotencyKey = (string?)null },
        }).ToArray();

        var response = await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = items }, Json.Options);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = await response.ReadAsync<BatchResponse>();

        result.Results.Should().HaveCount(1000).And.OnlyContain(r => r.Index == result.Results.ToList().IndexOf(r));
        result.Results[7].Status.Should().Be(400);
        result.Results[7].ErrorCode.Should().Be("VALIDATION_FAILED");
        result.Results[9].Replayed.Should().BeTrue();
        result.Results[9].RequestId.Should().Be(result.Results[8].RequestId!.Value);
        result.Accepted.Should().Be(999);
        result.Results.Where(r => r.Status == 202).Select(r => r.RequestId).Distinct().Should().HaveCount(998);

        var stored = (await tenant.Http.ListAllIdsAsync()).Count;
        stored.Should().Be(998);
    }

    [Fact]
    public async Task Rejects_an_empty_or_oversized_batch()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = Array.Empty<object>() })).StatusCode
            .Should().Be(HttpStatusCode.BadRequest);
        var tooMany = Enumerable.Range(0, 1001).Select(i => Calls.Webhook("http://127.0.0.1:9/")).ToArray();
        (await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = tooMany })).StatusCode
            .Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Pages_through_results_newest_first_without_gaps_or_repeats()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var sent = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            sent.Add((await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"))).RequestId);
        }

        var seen = await tenant.Http.ListAllIdsAsync(pageSize: 3);
        seen.Should().Equal(Enumerable.Reverse(sent));
    }

    [Fact]
    public async Task Filters_by_status_channel_event_type_and_time()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var delivered = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url, eventType: "order.paid"));
        await tenant.Http.WaitForStatusAsync(delivered.RequestId, NotificationStatus.Sent);
        var scheduled = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.reminder", channels = new[] { "EMAIL" }, recipient = new { email = "a@example.com" },
            payload = new { }, sendAt = DateTimeOffset.UtcNow.AddDays(1),
        });

        async Task<IEnumerable<Guid>> Query(string q)
        {
            var response = await tenant.Http.GetAsync($"/api/notifications?{q}");
            ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
            return (await response.ReadAsync<Page<NotificationView>>()).Items.Select(n => n.Id);
        }

        (await Query("status=SENT")).Should().Equal(delivered.RequestId);
        (await Query("status=scheduled")).Should().Equal(scheduled.RequestId);
        (await Query("channel=EMAIL")).Should().Equal(scheduled.RequestId);
        (await Query("eventType=order.paid")).Should().Equal(delivered.RequestId);
        (await Query($"from={Uri.EscapeDataString(before.ToString("O"))}")).Should().HaveCount(2);
        (await Query($"to={Uri.EscapeDataString(before.ToString("O"))}")).Should().BeEmpty();
    }
}
