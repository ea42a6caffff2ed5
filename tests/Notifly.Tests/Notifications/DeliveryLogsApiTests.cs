// GET /api/admin/logs on a real node and database: a tenant's delivery attempts newest first,
// searched by request id and filtered by status, channel, event type and time, paged with the
// cursor, exported as CSV with Accept: text/csv, and never another tenant's.
using System.Net;
using System.Net.Http.Headers;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.Notifications;

public class DeliveryLogsApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Lists_filters_pages_and_exports_a_tenants_attempts()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Enqueue(new ScriptedResponse(200));
        var signup = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/ok"), eventType: "user.signup"));
        await tenant.Http.WaitForStatusAsync(signup.RequestId, NotificationStatus.Sent);
        receiver.SetDefault(404);
        var paid = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/gone"), eventType: "order.paid"));
        await tenant.Http.WaitForStatusAsync(paid.RequestId, NotificationStatus.Failed);
        var elsewhere = await other.Http.SendOkAsync(Calls.Webhook(receiver.UrlFor("/other")));
        await other.Http.WaitForStatusAsync(elsewhere.RequestId, NotificationStatus.Failed);

        var all = await PageAllAsync(tenant.Http, "limit=1");
        all.Select(e => e.RequestId).Should().Equal(paid.RequestId, signup.RequestId);
        all[0].Should().Match<DeliveryLogEntry>(e => e.Status == "FAILED" && e.ErrorCode == "HTTP_404" && e.EventType == "order.paid"
            && e.Channel == Channel.Webhook && e.Attempt == 1);
        all[1].Should().Match<DeliveryLogEntry>(e => e.Status == "SENT" && e.LatencyMs != null && e.EventType == "user.signup");

        (await PageAllAsync(tenant.Http, $"requestId={signup.RequestId}")).Should().ContainSingle(e => e.RequestId == signup.RequestId);
        (await PageAllAsync(tenant.Http, "status=failed")).Select(e => e.RequestId).Should().Equal(paid.RequestId);
        (await PageAllAsync(tenant.Http, "eventType=user.signup")).Select(e => e.RequestId).Should().Equal(signup.RequestId);
        (await PageAllAsync(tenant.Http, "channel=EMAIL")).Should().BeEmpty();
        (await PageAllAsync(tenant.Http, $"to={Uri.EscapeDataString(all[1].CreatedAt.ToString("O"))}")).Should().BeEmpty("to is exclusive");
        (await PageAllAsync(tenant.Http, $"from={Uri.EscapeDataString(all[0].CreatedAt.ToString("O"))}")).Select(e => e.RequestId).Should().Equal(paid.RequestId);
        (await PageAllAsync(other.Http, "")).Should().OnlyContain(e => e.RequestId == elsewhere.RequestId);

        foreach (var bad in new[] { "status=LOST", "channel=FAX", "limit=0", "cursor=abc", "requestId=nope" })
        {
            (await tenant.Http.GetAsync($"/api/admin/logs?{bad}")).StatusCode.Should().Be(HttpStatusCode.BadRequest, bad);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/logs?limit=1");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await tenant.Http.SendAsync(request);
        csv.StatusCode.Should().Be(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("id,requestId,eventType,channel,attempt,status,latencyMs,provider,errorCode,errorMessage,providerMessageId,createdAt");
        lines.Should().HaveCount(3, "the export ignores the page size: every matching attempt");
        lines[1].Should().Contain(paid.RequestId.ToString()).And.Contain(",order.paid,WEBHOOK,1,FAILED,");
        lines[2].Should().Contain(signup.RequestId.ToString()).And.Contain(",SENT,");
    }

    private static async Task<List<DeliveryLogEntry>> PageAllAsync(HttpClient client, string query)
    {
        var rows = new List<DeliveryLogEntry>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync($"/api/admin/logs?{query}{(cursor is null ? "" : $"&cursor={cursor}")}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = await response.ReadAsync<Page<DeliveryLogEntry>>();
            rows.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return rows;
    }
}
