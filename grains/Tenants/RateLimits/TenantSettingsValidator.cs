using Notifly.GrainInterfaces.Tenants;

namespace Notifly.Grains.Tenants.RateLimits;

/// <summary>Checks a PUT of the settings; errors are keyed by JSON path so the 400 names each field.</summary>
public static class TenantSettingsValidator
{
    /// <summary>High enough for any tenant, low enough that the buckets' arithmetic stays exact.</summary>
    public const int MaxLimit = 1_000_000_000;

    public static Dictionary<string, string[]> Validate(TenantSettings settings)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (settings.RateLimits is not { } limits)
        {
            errors["rateLimits"] = ["rateLimits is required."];
            return errors;
        }

        Check(errors, "rateLimits.requestsPerMinute", limits.RequestsPerMinute);
        Check(errors, "rateLimits.requestsPerHour", limits.RequestsPerHour);
        Check(errors, "rateLimits.burstLimit", limits.BurstLimit);
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
