// POST /api/notifications/batch answers item by item: an item with a wrong value or text
// PostgreSQL cannot store is refused alone (400 in its result, naming the field), and the rest
// of the batch is stored. Real node, real database. The group commit's own isolation, below
// HTTP, is IntakeIsolationTests'.
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Notifly.Api.Notifications;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class BatchIsolationTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task One_poison_item_among_999_valid_ones_leaves_999_accepted()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var items = Enumerable.Range(0, 1000).Select(i => i == 512
            ? "{\"eventType\":\"batch.poison\",\"subject\":\"a\\u0000b\",\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://127.0.0.1:9/\"},\"payload\":{}}"
            : $"{{\"eventType\":\"batch.ok\",\"channels\":[\"WEBHOOK\"],\"recipient\":{{\"webhookUrl\":\"http://127.0.0.1:9/\"}},\"payload\":{{\"n\":{i}}}}}");

        var batch = await PostAsync(tenant, "{\"notifications\":[" + string.Join(',', items) + "]}");

        batch.Accepted.Should().Be(999);
        batch.Rejected.Should().Be(1);
        var refused = batch.Results.Single(r => r.Status != 202);
        refused.Index.Should().Be(512);
        refused.Status.Should().Be(400);
        refused.ErrorCode.Should().Be("VALIDATION_FAILED");
        refused.Error.Should().Contain("$.subject").And.Contain("NUL");
        (await tenant.Http.ListAllIdsAsync()).Should().HaveCount(999);
    }

    [Fact]
    public async Task Each_bad_item_is_refused_for_its_own_reason_and_the_good_ones_stored()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        const string to = "\"channels\":[\"WEBHOOK\"],\"recipient\":{\"webhookUrl\":\"http://127.0.0.1:9/\"}";
        var body = Encoding.UTF8.GetBytes("{\"notifications\":["
            + "{\"eventType\":\"ok\",\"payload\":{}," + to + "},"
            + "{\"eventType\":\"a\",\"priority\":1,\"payload\":{}," + to + "},"
            + "{\"eventType\":\"a\",\"payload\":{\"k\":\"\\ud800\"}," + to + "},"
            + "{\"eventType\":\"a\",\"sendAt\":\"1900-01-01T00:00:00Z\",\"payload\":{}," + to + "},"
            + "{\"eventType\":\"a\",\"payload\":{\"k\":\"x")
            .Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}," + to + "},"
            + "null,"
            + "{\"eventType\":\"ok\",\"payload\":{\"n\":2}," + to + "}]}")).ToArray();

        var batch = await PostAsync(tenant, body);

        batch.Results.Select(r => r.Status).Should().Equal(202, 400, 400, 400, 400, 400, 202);
        batch.Results[1].Error.Should().Contain("$.priority");
        batch.Results[2].Error.Should().Contain("$.payload.k");
        batch.Results[3].Error.Should().Contain("sendAt");
        batch.Results[4].Error.Should().Contain("$.payload.k").And.Contain("UTF-8");
        (await tenant.Http.ListAllIdsAsync()).Should().HaveCount(2);
    }

    private static Task<BatchResponse> PostAsync(TestTenant tenant, string body) => PostAsync(tenant, Encoding.UTF8.GetBytes(body));

    private static async Task<BatchResponse> PostAsync(TestTenant tenant, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await tenant.Http.PostAsync("/api/notifications/batch", content);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return System.Text.Json.JsonSerializer.Deserialize<BatchResponse>(text, Json.Options)!;
    }
}
