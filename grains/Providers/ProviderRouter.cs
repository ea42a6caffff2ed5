using Notifly.Grains.Channels;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Providers;

/// <summary>
/// Sends one attempt through the tenant's providers of its channel in priority order (docs/0015).
/// A provider fault — transient failure, refused credentials, open circuit — passes the attempt
/// to the next provider at once, and each hand-over is reported in the outcome so the result
/// turn audits it. A recipient's fault (invalid number, unregistered token) stops there: no
/// other provider would do better. When every provider failed, the last answer stands, and the
/// notification's own retry policy decides what happens next.
/// </summary>
public sealed class ProviderRouter(ProviderRegistry registry)
{
    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        var providers = await registry.ForAsync(work.TenantId, work.Channel, cancellationToken);
        if (providers.Count == 0)
        {
            return AttemptOutcome.Permanent("CHANNEL_DISABLED", $"no provider is configured for {work.Channel.Name()}");
        }

        List<ProviderFailover>? failovers = null;
        AttemptOutcome? last = null;
        TimeSpan? soonestReopen = null;
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i];
            var outcome = await provider.SendAsync(work, cancellationToken);
            if (!outcome.IsProviderFault || i == providers.Count - 1)
            {
                last = outcome with { Provider = provider.Identity.Name, Failovers = failovers };
                break;
            }

            var next = providers[i + 1].Identity.Name;
            (failovers ??= []).Add(new ProviderFailover(provider.Identity.Name, outcome.ErrorCode ?? "DELIVERY_FAILED", next));
            NotiflyMetrics.ProviderFailovers.Add(1, new KeyValuePair<string, object?>("channel", work.Channel.Name()));
            if (outcome.ErrorCode == ProviderSlot.CircuitOpenCode && outcome.RetryAfter is { } reopen && (soonestReopen is null || reopen < soonestReopen))
            {
                soonestReopen = reopen;
            }
        }

        // Every provider skipped with its circuit open: retry no sooner than the first one might close.
        return last!.ErrorCode == ProviderSlot.CircuitOpenCode && soonestReopen is { } wait && (last.RetryAfter is null || wait < last.RetryAfter)
            ? last with { RetryAfter = wait }
            : last;
    }
}
