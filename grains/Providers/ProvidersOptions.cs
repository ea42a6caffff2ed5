using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Providers;

/// <summary>
/// How every provider is called (<c>Notifly:Providers</c>, docs/0015): concurrency and timeouts
/// per provider kind, and the circuit breaker. Tenants choose providers; these bounds are the
/// operator's.
/// </summary>
public sealed class ProvidersOptions : IValidatableObject
{
    public const string Section = "Notifly:Providers";

    /// <summary>Limits for every kind not listed in <see cref="Kinds"/>.</summary>
    public ProviderLimits Defaults { get; set; } = new() { MaxConcurrency = 64, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Per kind (<c>smtp</c>, <c>sendgrid</c>, <c>twilio</c>, <c>fcm</c>, <c>webhook</c>): overrides of <see cref="Defaults"/>.</summary>
    public Dictionary<string, ProviderLimits> Kinds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The share of each provider's concurrency that normal- and low-priority work may not take,
    /// so an urgent message never queues behind a bulk send at its provider (as docs/0010 does for
    /// the dispatcher's own slots).
    /// </summary>
    public double ReservedForHighPriority { get; set; } = 0.2;

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    /// <summary>
    /// The limits of a kind. Webhooks have no concurrency limit unless <c>Kinds:webhook</c> sets
    /// one: each goes to a different tenant's endpoint, and the dispatcher bounds them all.
    /// </summary>
    public ProviderLimits For(string kind)
    {
        var specific = Kinds.TryGetValue(kind, out var limits) ? limits : null;
        var isWebhook = string.Equals(kind, "webhook", StringComparison.OrdinalIgnoreCase);
        return new ProviderLimits
        {
            MaxConcurrency = specific?.MaxConcurrency ?? (isWebhook ? null : Defaults.MaxConcurrency ?? 64),
            Timeout = specific?.Timeout ?? Defaults.Timeout ?? TimeSpan.FromSeconds(30),
        };
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, limits) in Kinds.Prepend(new KeyValuePair<string, ProviderLimits>("Defaults", Defaults)))
        {
            if (limits.MaxConcurrency is < 1 or > 10_000)
            {
                yield return new ValidationResult($"{Section}: {name}.MaxConcurrency must be between 1 and 10000.");
            }

            if (limits.Timeout is { } t && (t <= TimeSpan.Zero || t > TimeSpan.FromMinutes(5)))
            {
                yield return new ValidationResult($"{Section}: {name}.Timeout must be more than 0 and at most 5 minutes.");
            }
        }

        if (ReservedForHighPriority is < 0 or >= 1)
        {
            yield return new ValidationResult($"{Section}:ReservedForHighPriority must be at least 0 and less than 1.");
        }

        foreach (var error in CircuitBreaker.Validate())
        {
            yield return new ValidationResult($"{Section}:CircuitBreaker: {error}");
        }
    }
}

public sealed class ProviderLimits
{
    /// <summary>Calls in flight at once to one provider, per node; more wait their turn. None: unlimited.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>The whole call, connect to last byte; on expiry the attempt counts as a transient failure.</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>Polly's circuit breaker per provider and node: open after too many failures, try again after a pause.</summary>
public sealed class CircuitBreakerSettings
{
    /// <summary>The share of failed calls in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the window before the ratio counts: a single failure never opens it.</summary>
    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit skips the provider before one trial call is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Validate()
    {
        if (FailureRatio is <= 0 or > 1) yield return "FailureRatio must be more than 0 and at most 1.";
        if (MinimumThroughput < 2) yield return "MinimumThroughput must be at least 2.";
        if (SamplingDuration < TimeSpan.FromMilliseconds(500)) yield return "SamplingDuration must be at least 500 ms.";
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) yield return "BreakDuration must be at least 500 ms.";
    }
}
