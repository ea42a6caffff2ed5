// A tenant's suspension end to end on a real node, database and mock Kafka cluster: its keys are
// refused with 403 TENANT_SUSPENDED on every endpoint, Kafka intake dead-letters its requests as
// TENANT_SUSPENDED, and its scheduled work waits past its due time unsent; resuming restores the
// keys and the intake and sends what waited. Another tenant's work is untouched throughout.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Tests.Kafka.Ingestion;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Tenants;

public class TenantSuspensionTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    [Fact]
    public async Task A_suspended_tenant_is_refused_everywhere_its_work_waits_and_resume_restores_it()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var neighbour = await fixture.Node.CreateTenantAsync();
        var heldPath = $"/held/{tenant.Id:N}";
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(4);
        var held = await tenant.Http.SendOkAsync(new
        {
            eventType = "reminder.due",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = fixture.Webhooks.UrlFor(heldPath) },
            payload = new { n = 1 },
            sendAt,
        });
        var operatorApi = fixture.Node.OperatorClient();

        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();

        // Every endpoint, read or write, answers TENANT_SUSPENDED to the tenant's keys.
        foreach (var call in new Func<Task<HttpResponseMessage>>[]
        {
            () => tenant.Http.SendAsync(Calls.Webhook(fixture.Webhooks.Url)),
            () => tenant.Http.GetAsync($"/api/notifications/{held.RequestId}"),
            () => tenant.Http.PostAsync($"/api/notifications/{held.RequestId}/cancel", null),
            () => tenant.Http.GetAsync("/api/admin/api-keys"),
        })
        {
            using var refused = await call();
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("TENANT_SUSPENDED");
        }

        // Kafka intake refuses it too.
        var kafkaId = $"suspended-{Guid.NewGuid():N}";
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, kafkaId, fixture.Webhooks.Url)));
        }

        var dead = (await IngestionProbe.WaitForDeadLettersAsync(fixture.BootstrapServers, fixture.Topics.RequestedDeadLetter,
            KafkaNodeFixture.Partitions, r => r.Header(KafkaHeaders.CorrelationId) == kafkaId, 1, TimeSpan.FromSeconds(20))).Single();
        dead.Header(KafkaHeaders.ErrorCode).Should().Be("TENANT_SUSPENDED");
        (await IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, kafkaId)).Should().BeFalse();

        // The neighbour is served meanwhile, and the held notification's due time passes unsent.
        var neighbours = await neighbour.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor($"/neighbour/{neighbour.Id:N}")));
        await neighbour.Http.WaitForStatusAsync(neighbours.RequestId, NotificationStatus.Sent);
        var wait = sendAt + TimeSpan.FromSeconds(3) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        fixture.Webhooks.Requests.Should().NotContain(r => r.Path == heldPath);
        (await StatusAsync(held.RequestId)).Should().Be("SCHEDULED");

        (await operatorApi.PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "ACTIVE" })).EnsureSuccessStatusCode();

        await tenant.Http.WaitForStatusAsync(held.RequestId, NotificationStatus.Sent);
        fixture.Webhooks.Requests.Count(r => r.Path == heldPath).Should().Be(1);
        var after = $"resumed-{Guid.NewGuid():N}";
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, after, fixture.Webhooks.Url)));
        }

        await Eventually.MatchAsync(() => IngestionProbe.ExistsAsync(fixture.ConnectionString, tenant.Id, after), e => e,
            TimeSpan.FromSeconds(20), "Kafka intake to accept the resumed tenant's request");
    }

    private async Task<string> StatusAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM notifications WHERE id = $1", connection) { Parameters = { new() { Value = id } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
