using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Observability;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Notifly.Grains.Providers;

/// <summary>
/// One provider as the dispatcher calls it (docs/0015): its sender behind a concurrency limit, a
/// timeout and — for real providers — a Polly circuit breaker. The breaker counts provider faults
/// (<see cref="AttemptOutcome.IsProviderFault"/>) and exceptions; an invalid recipient is not the
/// provider's fault and never opens it. State is per node and lives as long as the slot, which
/// the registry keeps while the provider's row is unchanged.
/// </summary>
public sealed class ProviderSlot
{
    public const string CircuitOpenCode = "CIRCUIT_OPEN";

    private readonly IChannelSender _sender;
    private readonly SemaphoreSlim? _concurrency;
    private readonly SemaphoreSlim? _bulkConcurrency;
    private readonly ResiliencePipeline<AttemptOutcome> _pipeline;
    private readonly CircuitBreakerStateProvider? _circuit;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private long _openUntilTicks;

    /// <param name="reservedForUrgent">
    /// The share of <see cref="ProviderLimits.MaxConcurrency"/> bulk work (normal, low) may not
    /// take: bulk holds a bulk permit as well, so the rest stays free for instant and high.
    /// </param>
    public ProviderSlot(
        ProviderIdentity identity, IChannelSender sender, ProviderLimits limits, CircuitBreakerSettings? breaker, TimeProvider time,
        Action<ProviderIdentity, CircuitState>? circuitChanged = null, double reservedForUrgent = 0)
    {
        Identity = identity;
        _sender = sender;
        if (limits.MaxConcurrency is { } max)
        {
            _concurrency = new SemaphoreSlim(max);
            var bulk = Math.Max(1, max - (int)Math.Ceiling(max * reservedForUrgent));
            _bulkConcurrency = bulk < max ? new SemaphoreSlim(bulk) : null;
        }

        _timeout = limits.Timeout!.Value;
        _time = time;
        var builder = new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = time };
        if (breaker is not null)
        {
            _circuit = new CircuitBreakerStateProvider();
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptOutcome>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = _circuit,
                ShouldHandle = new PredicateBuilder<AttemptOutcome>()
                    .HandleResult(o => o.IsProviderFault)
                    .Handle<Exception>(e => e is not OperationCanceledException),
                OnOpened = args =>
                {
                    Volatile.Write(ref _openUntilTicks, (time.GetUtcNow() + args.BreakDuration).UtcTicks);
                    return Changed(CircuitState.Open);
                },
                OnHalfOpened = _ => Changed(CircuitState.HalfOpen),
                OnClosed = _ => Changed(CircuitState.Closed),
            });
        }

        // Innermost, so the breaker sees a timeout as a failure. The senders keep their own,
        // usually shorter, deadlines; this one bounds any call whatever the sender does.
        _pipeline = builder.AddTimeout(_timeout).Build();

        ValueTask Changed(CircuitState state)
        {
            circuitChanged?.Invoke(identity, state);
            return ValueTask.CompletedTask;
        }
    }

    public ProviderIdentity Identity { get; }

    public Channel Channel => _sender.Channel;

    public CircuitState Circuit => _circuit?.CircuitState ?? CircuitState.Closed;

    /// <summary>Whether calls go through a circuit breaker (not for webhooks, whose endpoints are the tenants' own).</summary>
    public bool HasBreaker => _circuit is not null;

    /// <summary>
    /// One call through the limit, the breaker and the timeout. Never throws for provider
    /// trouble: an open circuit answers <see cref="CircuitOpenCode"/> at once, without waiting
    /// for a concurrency slot. Throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        // Polly moves an open circuit to half-open only when a call comes through, so past the
        // break a call must reach the pipeline; before it, skip without queueing for a slot.
        var openUntil = Volatile.Read(ref _openUntilTicks);
        if (Circuit == CircuitState.Open && _time.GetUtcNow().UtcTicks < openUntil)
        {
            return CircuitOpen(new DateTimeOffset(openUntil, TimeSpan.Zero) - _time.GetUtcNow());
        }

        var bulk = work.IsBulk ? _bulkConcurrency : null;
        if (bulk is not null)
        {
            await bulk.WaitAsync(cancellationToken);
        }

        try
        {
            if (_concurrency is not null)
            {
                await _concurrency.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            bulk?.Release();
            throw;
        }

        try
        {
            return await _pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<AttemptOutcome>(state.Sender.SendAsync(state.Work, token)),
                (Sender: _sender, Work: work), cancellationToken);
        }
        catch (BrokenCircuitException e)
        {
            return CircuitOpen(e.RetryAfter); // opened, or a half-open trial already running, while we waited
        }
        catch (TimeoutRejectedException)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"{Identity.Name} did not answer within {_timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            _concurrency?.Release();
            bulk?.Release();
        }
    }

    private AttemptOutcome CircuitOpen(TimeSpan? retryAfter)
    {
        NotiflyMetrics.ProviderCircuitRejections.Add(1, new KeyValuePair<string, object?>("kind", Identity.Kind));
        return AttemptOutcome.Transient(
            CircuitOpenCode, $"{Identity.Name} is failing; its circuit is open and it is skipped for now.", retryAfter);
    }
}

/// <summary>Who a slot is: a tenant's provider row (<see cref="Id"/> set) or the deployment's own.</summary>
public sealed record ProviderIdentity(Guid? Id, string Name, string Kind, int Priority)
{
    public bool IsDeployment => Id is null;

    public override string ToString() => Name;
}
