using System.Text.RegularExpressions;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Tenants.Policies;

/// <summary>Checks the retryPolicies and channelFallback sections of a settings PUT; errors keyed by JSON path.</summary>
public static partial class PolicySettingsValidator
{
    public const int MaxAttempts = 20;

    /// <summary>A day: longer waits belong to sendAt, not to a retry.</summary>
    public const int MaxDelayMs = 86_400_000;

    public const double MaxMultiplier = 10;

    public static void Validate(TenantSettings settings, Dictionary<string, string[]> errors)
    {
        if (settings.RetryPolicies is { } retry)
        {
            if (retry.Default is { } d)
            {
                Check(errors, "retryPolicies.default", d);
            }

            foreach (var (eventType, policy) in retry.EventTypes ?? new Dictionary<string, RetryPolicySettings>())
            {
                var path = $"retryPolicies.eventTypes.{eventType}";
                if (!IsEventType(eventType))
                {
                    errors[path] = [EventTypeRule];
                }
                else if (policy is null)
                {
                    errors[path] = [$"{path} must be a policy object."];
                }
                else
                {
                    Check(errors, path, policy);
                }
            }
        }

        foreach (var (eventType, order) in settings.ChannelFallback ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            var path = $"channelFallback.{eventType}";
            if (!IsEventType(eventType) && eventType != TenantPolicies.Default)
            {
                errors[path] = [EventTypeRule + " (or * for every other event type)"];
                continue;
            }

            if (order is not { Count: > 0 })
            {
                errors[path] = [$"{path} must list at least one channel, e.g. [\"EMAIL\",\"SMS\",\"PUSH\"]."];
                continue;
            }

            var unknown = order.Where(c => c is null || !Wire.TryParseChannel(c, out _)).ToArray();
            if (unknown.Length > 0)
            {
                errors[path] = [$"unknown channel(s) {string.Join(", ", unknown)}: use EMAIL, SMS, PUSH or WEBHOOK."];
            }
            else if (order.Distinct(StringComparer.Ordinal).Count() != order.Count)
            {
                errors[path] = [$"{path} names a channel twice."];
            }
        }
    }

    private const string EventTypeRule = "event types are 1–100 characters of letters, digits and . _ : -";

    private static bool IsEventType(string eventType) =>
        eventType.Length <= IntakeLimits.MaxEventTypeLength && EventTypePattern().IsMatch(eventType);

    private static void Check(Dictionary<string, string[]> errors, string path, RetryPolicySettings p)
    {
        if (p.MaxAttempts is not (>= 1 and <= MaxAttempts))
        {
            errors[$"{path}.maxAttempts"] = [$"maxAttempts is required and must be 1–{MaxAttempts}."];
        }

        if (p.InitialDelayMs is not (> 0 and <= MaxDelayMs))
        {
            errors[$"{path}.initialDelayMs"] = [$"initialDelayMs is required and must be 1–{MaxDelayMs:N0}."];
        }

        if (p.MaxDelayMs is not (> 0 and <= MaxDelayMs))
        {
            errors[$"{path}.maxDelayMs"] = [$"maxDelayMs is required and must be 1–{MaxDelayMs:N0}."];
        }
        else if (p.InitialDelayMs is { } initial && p.MaxDelayMs < initial)
        {
            errors[$"{path}.maxDelayMs"] = ["maxDelayMs must be at least initialDelayMs."];
        }

        if (p.BackoffMultiplier is not { } m || double.IsNaN(m) || m < 1 || m > MaxMultiplier)
        {
            errors[$"{path}.backoffMultiplier"] = [$"backoffMultiplier is required and must be 1–{MaxMultiplier}."];
        }

        if (p.TtlSeconds is < 1 or > MaxTtlSeconds)
        {
            errors[$"{path}.ttlSeconds"] = [$"ttlSeconds, when given, must be 1–{MaxTtlSeconds:N0} (396 days)."];
        }
    }

    private const int MaxTtlSeconds = 396 * 24 * 3600;

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]+$")]
    private static partial Regex EventTypePattern();
}
