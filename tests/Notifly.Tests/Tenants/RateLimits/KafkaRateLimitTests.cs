// Kafka over a tenant's rate limit: nothing is dropped or dead-lettered. Every request is stored;
// those the bucket cannot pay for now are SCHEDULED for when their token comes due, one refill
// interval apart, each with a RATE_LIMITED event saying so. Not covered: their later delivery
// (an ordinary scheduled send, tested with sendAt elsewhere).
using System.Text.Json;
using Npgsql;
using Notifly.Tests.Kafka.Ingestion;
using Notifly.Tests.Support;

namespace Notifly.Tests.Tenants.RateLimits;

public class KafkaRateLimitTests(KafkaNodeFixture fixture) : IClassFixture<KafkaNodeFixture>
{
    [Fact]
    public async Task Requests_over_the_limit_are_stored_and_scheduled_for_when_tokens_come_back()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        // Burst 5, then one token a second.
        await tenant.Http.SetLimitsAsync(perMinute: 60, perHour: 10_000, burst: 5);
        var url = fixture.Webhooks.UrlFor($"/limited/{tenant.Id:N}");
        const int total = 12;
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await Task.WhenAll(Enumerable.Range(0, total).Select(i => producer.ProduceAsync(fixture.Topics.Requested,
                IngestionProbe.Message(tenant.Id, IngestionProbe.Request(tenant.Id, $"rl-{i}", url, i)))));
        }

        await Eventually.MatchAsync(() => IngestionProbe.CountAsync(fixture.ConnectionString, tenant.Id),
            c => c.Rows >= total, TimeSpan.FromSeconds(30), "every request to be stored");

        var rows = await RateLimitedAsync(tenant.Id);
        rows.Should().HaveCount(total);
        var limited = rows.Where(r => r.Event is not null).ToList();
        // The batch may be split and the bucket refill meanwhile; at most a token or two.
        limited.Count.Should().BeInRange(total - 5 - 2, total - 5);
        // A wait that had already ended when the row was stored (a token refilled meanwhile) is
        // due at once; every other limited request waits, SCHEDULED.
        limited.Should().OnlyContain(r => r.SendAt > r.CreatedAt ? r.Status == "SCHEDULED" : r.Status != "SCHEDULED");
        limited.Count(r => r.SendAt > r.CreatedAt).Should().BeGreaterThanOrEqualTo(total - 5 - 3);
        limited.Should().OnlyContain(r => r.EventSendAt == r.SendAt);
        var delays = limited.Select(r => (r.SendAt!.Value - r.CreatedAt).TotalSeconds).Order().ToList();
        delays.Last().Should().BeInRange(limited.Count - 1.5, limited.Count + 0.5, "one token a second");
        rows.Where(r => r.Event is null).Should().OnlyContain(r => r.SendAt == null);
    }

    private async Task<List<(string Status, DateTimeOffset CreatedAt, DateTimeOffset? SendAt, string? Event, DateTimeOffset? EventSendAt)>> RateLimitedAsync(Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT n.status, n.created_at, n.send_at, e.details::text
              FROM notifications n
              LEFT JOIN notification_events e ON e.notification_id = n.id AND e.event = 'RATE_LIMITED'
             WHERE n.tenant_id = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, DateTimeOffset, DateTimeOffset?, string?, DateTimeOffset?)>();
        while (await reader.ReadAsync())
        {
            JsonElement? details = reader.IsDBNull(3) ? null : JsonDocument.Parse(reader.GetString(3)).RootElement;
            rows.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                details is null ? null : "RATE_LIMITED",
                details?.GetProperty("sendAt").GetDateTimeOffset()));
        }

        return rows;
    }
}
