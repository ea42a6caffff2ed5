using System.Text.Json;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.Policies;

/// <summary>Reads and writes the retry_policy and event_channel_policy rows (migration 0006).</summary>
public static class PolicyRows
{
    public const string SelectRetry =
        "SELECT event_type, max_attempts, initial_delay_ms, max_delay_ms, backoff_multiplier, ttl_seconds FROM retry_policy";

    public const string SelectFallback = "SELECT event_type, fallback_order::text FROM event_channel_policy";

    public static async Task<Dictionary<string, RetryPolicySettings>> ReadRetryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, RetryPolicySettings>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = new RetryPolicySettings(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5));
        }

        return rows;
    }

    public static async Task<Dictionary<string, IReadOnlyList<string>>> ReadFallbackAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = JsonSerializer.Deserialize<string[]>(reader.GetString(1))!;
        }

        return rows;
    }

    /// <summary>A validated policy as the machine runs it; jitter is the deployment's.</summary>
    public static RetryPolicy ToPolicy(RetryPolicySettings s, double jitterFraction) => new(
        s.MaxAttempts!.Value, TimeSpan.FromMilliseconds(s.InitialDelayMs!.Value), s.BackoffMultiplier!.Value,
        TimeSpan.FromMilliseconds(s.MaxDelayMs!.Value), jitterFraction, s.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null);

    public static RetryPolicySettings ToSettings(RetryPolicy p) =>
        new(p.MaxAttempts, (int)p.InitialDelay.TotalMilliseconds, (int)p.MaxDelay.TotalMilliseconds, p.Multiplier,
            p.Ttl is { } ttl ? (int)ttl.TotalSeconds : null);

    public static Channel[] ToChannels(IEnumerable<string> names) => names.Select(Wire.ParseChannel).ToArray();
}
