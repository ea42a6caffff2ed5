using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.Policies;

/// <summary>
/// The retryPolicies and channelFallback sections of a tenant's settings, under the caller's
/// tenant scope (Row Level Security), plus the backoff preview.
/// </summary>
public sealed class PolicySettingsStore(RetryPolicy deployment, TimeProvider time)
{
    public async Task<(RetryPoliciesSettings Retry, IReadOnlyDictionary<string, IReadOnlyList<string>> Fallback)> GetAsync(
        TenantScope scope, CancellationToken cancellationToken)
    {
        await using var retry = scope.Command(PolicyRows.SelectRetry);
        var rows = await PolicyRows.ReadRetryAsync(retry, cancellationToken);
        await using var fallback = scope.Command(PolicyRows.SelectFallback);
        var orders = await PolicyRows.ReadFallbackAsync(fallback, cancellationToken);
        var byEventType = rows.Where(r => r.Key != TenantPolicies.Default).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        var @default = rows.GetValueOrDefault(TenantPolicies.Default) ?? PolicyRows.ToSettings(deployment);
        return (new RetryPoliciesSettings(@default, byEventType), orders);
    }

    /// <summary>Replaces the sections the PUT names (validated by <see cref="PolicySettingsValidator"/>); the caller commits.</summary>
    public async Task PutAsync(TenantScope scope, TenantSettings settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (settings.RetryPolicies is { } retry)
        {
            var rows = (retry.EventTypes ?? new Dictionary<string, RetryPolicySettings>()).ToList();
            if (retry.Default is { } d)
            {
                rows.Add(new(TenantPolicies.Default, d));
            }

            await using var delete = scope.Command("DELETE FROM retry_policy");
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await using var insert = scope.Command(
                """
                INSERT INTO retry_policy (tenant_id, event_type, max_attempts, initial_delay_ms, max_delay_ms, backoff_multiplier, updated_at,
                                          ttl_seconds)
                SELECT $1, u.event_type, u.max_attempts, u.initial_delay_ms, u.max_delay_ms, u.backoff_multiplier, $7, u.ttl_seconds
                  FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::float8[], $8::int[])
                       AS u(event_type, max_attempts, initial_delay_ms, max_delay_ms, backoff_multiplier, ttl_seconds)
                """).With(scope.TenantId).With(rows.Select(r => r.Key).ToArray())
                .With(rows.Select(r => r.Value.MaxAttempts!.Value).ToArray())
                .With(rows.Select(r => r.Value.InitialDelayMs!.Value).ToArray())
                .With(rows.Select(r => r.Value.MaxDelayMs!.Value).ToArray())
                .With(rows.Select(r => r.Value.BackoffMultiplier!.Value).ToArray())
                .With(now)
                .With(rows.Select(r => r.Value.TtlSeconds).ToArray(), NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (settings.ChannelFallback is { } fallback)
        {
            await using var delete = scope.Command("DELETE FROM event_channel_policy");
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await using var insert = scope.Command(
                """
                INSERT INTO event_channel_policy (tenant_id, event_type, fallback_order, updated_at)
                SELECT $1, u.event_type, u.fallback_order::jsonb, $4
                  FROM unnest($2::text[], $3::text[]) AS u(event_type, fallback_order)
                """).With(scope.TenantId).With(fallback.Keys.ToArray())
                .With(fallback.Values.Select(o => JsonSerializer.Serialize(o)).ToArray())
                .With(now);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The backoff for <paramref name="eventType"/>'s policy as resolved at accept time, or for
    /// <paramref name="candidate"/> when one is given (to try a policy before saving it).
    /// </summary>
    public async Task<RetryPreview> PreviewAsync(
        TenantScope scope, string? eventType, RetryPolicySettings? candidate, CancellationToken cancellationToken)
    {
        RetryPolicySettings policy;
        string source;
        if (candidate is not null)
        {
            (policy, source) = (candidate, "candidate");
        }
        else
        {
            await using var retry = scope.Command(PolicyRows.SelectRetry);
            var rows = await PolicyRows.ReadRetryAsync(retry, cancellationToken);
            (policy, source) = eventType is not null && rows.TryGetValue(eventType, out var own) ? (own, "eventType")
                : rows.TryGetValue(TenantPolicies.Default, out var d) ? (d, "tenantDefault")
                : (PolicyRows.ToSettings(deployment), "deployment");
        }

        var p = PolicyRows.ToPolicy(policy, deployment.JitterFraction);
        var steps = Enumerable.Range(1, p.MaxAttempts - 1)
            .Select(failures => new RetryPreviewStep(failures + 1,
                (long)Math.Round(p.DelayAfter(failures, 0).TotalMilliseconds),
                (long)Math.Round(p.DelayAfter(failures, 1).TotalMilliseconds)))
            .ToArray();
        return new RetryPreview(eventType, source, policy, p.JitterFraction, steps);
    }

    /// <summary>Channel names as the machine takes them (validated already).</summary>
    public static Channel[] Channels(IEnumerable<string> names) => PolicyRows.ToChannels(names);
}
