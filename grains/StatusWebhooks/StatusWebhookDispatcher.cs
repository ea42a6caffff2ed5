using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Observability;
using Notifly.Grains.Runtime;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// Delivers status webhooks (docs/0017), in the worker role: claims due deliveries under a lease,
/// calls the endpoints outside any transaction, and records outcomes in batches. Woken by
/// <see cref="StatusWebhookSignal"/>; otherwise it sleeps until the next delivery is due, at
/// most <see cref="StatusWebhookOptions.PollInterval"/>.
/// </summary>
internal sealed partial class StatusWebhookDispatcher(
    StatusWebhookStore store,
    StatusWebhookCall call,
    StatusWebhookSignal signal,
    IOptions<StatusWebhookOptions> options,
    TimeProvider time,
    ILogger<StatusWebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(5);
    private const int MaxRecordBatch = 500;

    private readonly StatusWebhookOptions _options = options.Value;
    private readonly Channel<DeliveryResult> _results = Channel.CreateUnbounded<DeliveryResult>();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _slots = new(options.Value.MaxInFlight, options.Value.MaxInFlight);
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the loop must not hold up the host's start
        var writer = Task.Run(() => RecordLoopAsync(_abandon.Token), CancellationToken.None);
        try
        {
            await ClaimLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: calls in flight get a moment to finish and be recorded; the rest fall back to
        // their leases and are attempted again by whichever node claims them.
        var drained = Stopwatch.StartNew();
        while (Volatile.Read(ref _inFlight) > 0 && drained.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20, CancellationToken.None);
        }

        await _abandon.CancelAsync();
        _results.Writer.TryComplete();
        await writer;
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _slots.WaitAsync(stoppingToken);
            var free = 1;
            while (_slots.Wait(0, CancellationToken.None))
            {
                free++;
            }

            IReadOnlyList<ClaimedDelivery> claimed;
            try
            {
                claimed = await store.ClaimAsync(free, _options.Lease, time.GetUtcNow(), stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _slots.Release(free);
                NotiflyMetrics.CountDatabaseError(ex);
                LogClaimFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }

            if (free > claimed.Count)
            {
                _slots.Release(free - claimed.Count);
            }

            foreach (var delivery in claimed)
            {
                Interlocked.Increment(ref _inFlight);
                _ = Task.Run(() => AttemptAsync(delivery), CancellationToken.None);
            }

            if (claimed.Count == 0)
            {
                await signal.WaitAsync(await NextWaitAsync(stoppingToken), stoppingToken);
            }
        }
    }

    private async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await store.NextDueAtAsync(cancellationToken) is { } due)
            {
                return ResultBatches.WaitUntil(due, time.GetUtcNow(), MinimumWait, _options.PollInterval);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogClaimFailed(ex);
        }

        return _options.PollInterval;
    }

    private async Task AttemptAsync(ClaimedDelivery delivery)
    {
        try
        {
            CallResult result;
            try
            {
                result = await call.SendAsync(delivery, _abandon.Token);
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                return; // stopping: the lease expires and another attempt follows
            }
            catch (Exception ex)
            {
                LogCallFailed(ex, delivery.Id);
                result = new CallResult(Channels.OutcomeKind.Transient, null, null, "INTERNAL_ERROR");
            }

            var now = time.GetUtcNow();
            var (status, next) = RetrySchedule.Next(result, delivery.AttemptInRound, now, _options, Random.Shared.NextDouble());
            NotiflyMetrics.StatusWebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", status switch
            {
                WebhookDeliveryStatus.Succeeded => "succeeded",
                WebhookDeliveryStatus.Retrying => "retrying",
                _ => "failed",
            }));
            _results.Writer.TryWrite(new DeliveryResult(delivery, result, status, next, now));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();
        }
    }

    // Results are recorded on the real clock's retry pause: a test's fake clock must not stall them.
    private Task RecordLoopAsync(CancellationToken abandon) =>
        ResultBatches.WriteAllAsync(_results.Reader, MaxRecordBatch, async batch =>
        {
            var disabled = await store.RecordAsync(
                batch, _options.DisableAfterFailures, _options.DisableAfterFailingFor, time.GetUtcNow(), CancellationToken.None);
            foreach (var (endpointId, tenantId) in disabled)
            {
                NotiflyMetrics.StatusWebhookEndpointsDisabled.Add(1);
                LogEndpointDisabled(endpointId, tenantId, _options.DisableAfterFailures);
            }

            signal.Wake(); // a retry may be due at once (a short schedule, Retry-After: 0)
        }, LogRecordFailed, TimeProvider.System, abandon);

    public override void Dispose()
    {
        _abandon.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming status-webhook deliveries failed; retrying")]
    private partial void LogClaimFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Status-webhook call for delivery {DeliveryId} threw")]
    private partial void LogCallFailed(Exception ex, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {Count} status-webhook results failed; retrying")]
    private partial void LogRecordFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status-webhook endpoint {EndpointId} of tenant {TenantId} disabled after {Failures}+ failed attempts in a row")]
    private partial void LogEndpointDisabled(Guid endpointId, Guid tenantId, int failures);
}
