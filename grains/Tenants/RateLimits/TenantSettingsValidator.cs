using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants.Policies;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>Checks a PUT of the settings; errors are keyed by JSON path so the 400 names each field.</summary>
public static class TenantSettingsValidator
{
    /// <summary>High enough for any tenant, low enough that the buckets' arithmetic stays exact.</summary>
    public const int MaxLimit = 1_000_000_000;

    /// <summary>Ten years; the deployment's retention caps it anyway.</summary>
    public const int MaxRetentionDays = 3650;

    public static Dictionary<string, string[]> Validate(TenantSettings settings)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        // A PUT changes the sections it names; one naming none changes nothing and is a mistake.
        if (settings is { RateLimits: null, RetryPolicies: null, ChannelFallback: null, DisabledChannels: null, Retention: null })
        {
            errors["rateLimits"] = ["rateLimits is required (or retryPolicies, channelFallback, disabledChannels, retention)."];
            return errors;
        }

        if (settings.Retention is { Days: not (null or (>= 1 and <= MaxRetentionDays)) })
        {
            errors["retention.days"] = [$"retention.days must be 1–{MaxRetentionDays}, or null for the deployment's retention."];
        }

        if (settings.DisabledChannels is { } disabled
            && disabled.FirstOrDefault(c => !Enum.GetValues<Channel>().Any(k => k.Name() == c?.Trim().ToUpperInvariant())) is { } unknown)
        {
            errors["disabledChannels"] = [$"unknown channel '{unknown}': use EMAIL, SMS, PUSH or WEBHOOK."];
        }

        if (settings.RateLimits is { } limits)
        {
            Check(errors, "rateLimits.requestsPerMinute", limits.RequestsPerMinute);
            Check(errors, "rateLimits.requestsPerHour", limits.RequestsPerHour);
            Check(errors, "rateLimits.burstLimit", limits.BurstLimit);
        }

        PolicySettingsValidator.Validate(settings, errors);
        return errors;
    }

    private static void Check(Dictionary<string, string[]> errors, string field, int? value)
    {
        if (value is not (>= 1 and <= MaxLimit))
        {
            errors[field] = [$"{field} is required and must be 1–{MaxLimit:N0}."];
        }
    }
}
