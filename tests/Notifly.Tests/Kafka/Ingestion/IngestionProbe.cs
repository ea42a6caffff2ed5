using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Npgsql;

namespace Notifly.Tests.Kafka.Ingestion;

/// <summary>What ingestion tests produce to notification.requested and read back: rows in PostgreSQL and dead letters.</summary>
public static class IngestionProbe
{
    public static IProducer<string, byte[]> Producer(string bootstrapServers) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            ReconnectBackoffMaxMs = 500,
        }).Build();

    /// <summary>Seed 002's message, for the WEBHOOK channel, with the recipient as a plain string.</summary>
    public static byte[] Request(Guid tenantId, string notificationId, string webhookUrl, int n = 0) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            notificationId,
            organizationId = tenantId.ToString(),
            eventType = "order.shipped",
            channel = "WEBHOOK",
            recipient = webhookUrl,
            payload = new { orderId = n, name = "Ada" },
            createdAt = "2025-01-01T10:00:00Z",
        });

    public static Message<string, byte[]> Message(Guid tenantId, byte[] value, bool tenantHeader = false, string? key = null) => new()
    {
        Key = key ?? tenantId.ToString(),
        Value = value,
        Headers = tenantHeader ? new Headers { { "tenant-id", Encoding.UTF8.GetBytes(tenantId.ToString()) } } : null,
    };

    /// <summary>Rows stored for the tenant, and how many distinct notificationIds (idempotency keys) they carry.</summary>
    public static async Task<(long Rows, long Distinct)> CountAsync(string connectionString, Guid tenantId, string? status = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM notifications WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public static async Task<bool> ExistsAsync(string connectionString, Guid tenantId, string notificationId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM notifications WHERE tenant_id = $1 AND idempotency_key = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = notificationId });
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    /// <summary>
    /// Reads the dead-letter topic from the beginning (every partition, no group) until
    /// <paramref name="count"/> messages match <paramref name="where"/>.
    /// </summary>
    public static async Task<List<ConsumeResult<byte[], byte[]>>> WaitForDeadLettersAsync(
        string bootstrapServers, string topic, int partitions, Func<ConsumeResult<byte[], byte[]>, bool> where, int count, TimeSpan deadline)
    {
        return await Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = $"probe-{Guid.NewGuid():N}",
                EnableAutoCommit = false,
            }).Build();
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var found = new List<ConsumeResult<byte[], byte[]>>();
            var until = DateTime.UtcNow + deadline;
            while (found.Count < count)
            {
                if (DateTime.UtcNow > until)
                {
                    throw new TimeoutException($"expected {count} matching dead letters on {topic}, found {found.Count}");
                }

                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result && where(result))
                {
                    found.Add(result);
                }
            }

            return found;
        });
    }

    public static string? Header(this ConsumeResult<byte[], byte[]> result, string name) =>
        result.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
