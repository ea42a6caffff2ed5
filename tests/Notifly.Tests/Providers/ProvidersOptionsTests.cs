using System.ComponentModel.DataAnnotations;
using Notifly.Grains.Providers;

namespace Notifly.Tests.Providers;

// Covers Notifly:Providers as the operator writes it: per-kind limits over the defaults, webhooks
// unlimited unless set, and the settings refused at start (out-of-range limits, breaker values
// Polly would reject, a reserved share of 100 %).
public sealed class ProvidersOptionsTests
{
    [Fact]
    public void A_kinds_limits_override_the_defaults_and_webhooks_are_unlimited_unless_set()
    {
        var options = new ProvidersOptions { Kinds = { ["twilio"] = new ProviderLimits { MaxConcurrency = 5 } } };

        options.For("twilio").Should().BeEquivalentTo(new ProviderLimits { MaxConcurrency = 5, Timeout = TimeSpan.FromSeconds(30) });
        options.For("sendgrid").MaxConcurrency.Should().Be(64);
        options.For("webhook").MaxConcurrency.Should().BeNull();
        options.Kinds["webhook"] = new ProviderLimits { MaxConcurrency = 100 };
        options.For("webhook").MaxConcurrency.Should().Be(100);
        Errors(options).Should().BeEmpty();
    }

    [Fact]
    public void Limits_and_breaker_settings_out_of_range_are_refused_at_start()
    {
        var options = new ProvidersOptions
        {
            Kinds = { ["smtp"] = new ProviderLimits { MaxConcurrency = 0, Timeout = TimeSpan.FromMinutes(10) } },
            ReservedForHighPriority = 1,
            CircuitBreaker = new CircuitBreakerSettings { FailureRatio = 0, MinimumThroughput = 1, BreakDuration = TimeSpan.FromMilliseconds(10) },
        };

        Errors(options).Should().Contain(e => e.Contains("smtp.MaxConcurrency"))
            .And.Contain(e => e.Contains("smtp.Timeout"))
            .And.Contain(e => e.Contains("ReservedForHighPriority"))
            .And.Contain(e => e.Contains("FailureRatio"))
            .And.Contain(e => e.Contains("MinimumThroughput"))
            .And.Contain(e => e.Contains("BreakDuration"));
    }

    private static List<string> Errors(ProvidersOptions options) =>
        options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage!).ToList();
}
