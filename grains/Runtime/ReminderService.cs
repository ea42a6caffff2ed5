using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Channel = Notifly.GrainInterfaces.Notifications.Channel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Observability;
using Notifly.Grains.Providers;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Runtime;

/// <summary>
/// The silo's dispatcher: claims due reminders, runs the attempts they start through the
/// channel senders between turns (never inside a transaction), and records the outcomes in
/// batched result turns.
/// </summary>
public sealed partial class ReminderService(
    NotificationStore store,
    ProviderRouter providers,
    WakeUpSignal wakeUp,
    DeadPushTokens deadPushTokens,
    LeaseOwner owner,
    IOptions<DispatchOptions> options,
    TimeProvider time,
    ILogger<ReminderService> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan BulkFullWait = TimeSpan.FromMilliseconds(50);
    private readonly DispatchOptions _options = options.Value;
    private readonly System.Threading.Channels.Channel<AttemptResult> _results = System.Threading.Channels.Channel.CreateUnbounded<AttemptResult>();
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _slots = new(options.Value.MaxInFlight, options.Value.MaxInFlight);
    private int _inFlight;
    private int _bulkInFlight;

    // Attempts running per tenant, for the claim's round-robin (touched by the claim loop and
    // by finishing sends).
    private readonly ConcurrentDictionary<Guid, int> _tenantInFlight = new();

    public int InFlight => Volatile.Read(ref _inFlight);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        NotiflyMetrics.TrackInFlight(this, () => InFlight);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = Task.Run(() => WriteResultsAsync(_abandon.Token), CancellationToken.None);
        try
        {
            await ClaimLoopAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: let attempts in flight finish and their results land, up to the drain timeout;
        // whatever is still running after that is abandoned to its lease.
        var drained = Stopwatch.StartNew();
        while (InFlight > 0 && drained.Elapsed < _options.DrainTimeout)
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
            while (free < _options.ClaimBatchSize && _slots.Wait(0, CancellationToken.None))
            {
                free++;
            }

            // Normal and low priority may fill only the unreserved slots; instant and high may use any.
            var bulkFree = Math.Clamp(_options.MaxBulkInFlight - Volatile.Read(ref _bulkInFlight), 0, free);
            IReadOnlyList<SendWork> work;
            try
            {
                work = await store.ClaimAndFireAsync(
                    free, bulkFree, _options.FairShare, _tenantInFlight.ToDictionary(), _options.Lease, owner.Name, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _slots.Release(free);
                NotiflyMetrics.CountDatabaseError(ex);
                LogClaimFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }

            if (free > work.Count)
            {
                _slots.Release(free - work.Count);
            }

            foreach (var item in work)
            {
                Interlocked.Increment(ref _inFlight);
                _tenantInFlight.AddOrUpdate(item.TenantId, 1, (_, n) => n + 1);
                if (item.IsBulk)
                {
                    Interlocked.Increment(ref _bulkInFlight);
                }

                _ = Task.Run(() => SendAsync(item), CancellationToken.None);
            }

            if (work.Count == 0)
            {
                var wait = await NextWaitAsync(stoppingToken);
                if (bulkFree == 0 && wait < BulkFullWait)
                {
                    // Overdue bulk work waiting for a bulk slot would make every wait the minimum:
                    // a freed slot wakes us anyway, so only instant/high retries need polling here.
                    wait = BulkFullWait;
                }

                await wakeUp.WaitAsync(wait, stoppingToken);
            }
        }
    }

    private async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            var next = await store.NextDueAtAsync(cancellationToken);
            if (next is { } due)
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

    private async Task SendAsync(SendWork work)
    {
        // The attempt's span continues the trace of the request that created the notification;
        // the provider's HTTP call (and the traceparent it carries to a webhook) is its child.
        using var span = NotiflyTracing.Source.StartActivity($"deliver {work.Channel.Name()}", ActivityKind.Internal, NotiflyTracing.Parent(work.TraceParent));
        span?.SetTag("notifly.notification_id", work.NotificationId).SetTag("notifly.tenant_id", work.TenantId)
            .SetTag("notifly.correlation_id", work.CorrelationId).SetTag("notifly.channel", work.Channel.Name()).SetTag("notifly.attempt", work.Attempt);
        // What this attempt logs names its notification, as the trace and span ids name its span.
        using var scope = logger.BeginScope(new AttemptScope(work));
        try
        {
            var started = time.GetTimestamp();
            AttemptOutcome outcome;
            try
            {
                outcome = await providers.SendAsync(work, _abandon.Token);
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                return; // node stopping: the lease expires and another attempt runs
            }
            catch (Exception ex)
            {
                // A sender bug must not wedge the delivery: treat it like a transient failure.
                LogSenderFailed(ex, work.Channel, work.NotificationId);
                outcome = AttemptOutcome.Transient("INTERNAL_ERROR", ex.Message);
            }

            if (DeadPushTokens.IsDead(work, outcome))
            {
                await deadPushTokens.ForgetAsync(work, outcome, _abandon.Token);
            }

            var elapsed = time.GetElapsedTime(started);
            var channel = new KeyValuePair<string, object?>("channel", work.Channel.Name());
            var kind = new KeyValuePair<string, object?>("outcome", outcome.Kind.ToString().ToLowerInvariant());
            if (outcome.Kind == OutcomeKind.Success)
            {
                NotiflyMetrics.DeliveryAttempts.Add(1, channel, kind);
            }
            else
            {
                // Our own codes (TIMEOUT, NETWORK_ERROR, HTTP_503, …), a bounded set: a provider that
                // hangs and one that refuses look different on the dashboard.
                NotiflyMetrics.DeliveryAttempts.Add(1, channel, kind, new KeyValuePair<string, object?>("error_code", outcome.ErrorCode));
            }

            NotiflyMetrics.DeliveryAttemptDuration.Record(elapsed.TotalSeconds, channel);
            if (outcome.Kind == OutcomeKind.Success)
            {
                NotiflyMetrics.DeliveryEndToEnd.Record(Math.Max(0, (time.GetUtcNow() - work.DueSince).TotalSeconds), channel);
            }
            else
            {
                span?.SetStatus(ActivityStatusCode.Error, outcome.ErrorCode);
                LogAttemptFailed(work.Attempt, work.Channel, work.NotificationId, outcome.Kind, outcome.ErrorCode);
            }

            span?.SetTag("notifly.outcome", outcome.Kind.ToString().ToLowerInvariant());
            _results.Writer.TryWrite(new AttemptResult(work.NotificationId, work.Channel, work.Attempt, outcome, elapsed));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            if (_tenantInFlight.AddOrUpdate(work.TenantId, 0, (_, n) => n - 1) <= 0)
            {
                _tenantInFlight.TryRemove(new KeyValuePair<Guid, int>(work.TenantId, 0));
            }

            if (work.IsBulk && Interlocked.Decrement(ref _bulkInFlight) == _options.MaxBulkInFlight - 1)
            {
                // Bulk work may have been left waiting for exactly this slot: claim again now
                // rather than at the next poll.
                wakeUp.Wake();
            }

            _slots.Release();
        }
    }

    private Task WriteResultsAsync(CancellationToken abandon) =>
        ResultBatches.WriteAllAsync(_results.Reader, 1000, async batch =>
        {
            await store.RecordResultsAsync(batch, owner.Name, CancellationToken.None);
            wakeUp.Wake(); // a retry may be due immediately (Retry-After: 0, zero backoff)
        }, LogResultsFailed, time, abandon);

    public override void Dispose()
    {
        NotiflyMetrics.UntrackInFlight(this);
        _abandon.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming due reminders failed; retrying")]
    private partial void LogClaimFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} on {Channel} of notification {NotificationId} failed ({Kind}): {ErrorCode}")]
    private partial void LogAttemptFailed(int attempt, Channel channel, Guid notificationId, OutcomeKind kind, string? errorCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sender for {Channel} threw on notification {NotificationId}")]
    private partial void LogSenderFailed(Exception ex, Channel channel, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording {Count} attempt results failed; retrying")]
    private partial void LogResultsFailed(Exception ex, int count);

    /// <summary>The ids a log line of an attempt carries as scope values (notifly.notification_id, …).</summary>
    private sealed class AttemptScope(SendWork work) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 4;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("notifly.notification_id", work.NotificationId),
            1 => new("notifly.tenant_id", work.TenantId),
            2 => new("notifly.correlation_id", work.CorrelationId),
            3 => new("notifly.channel", work.Channel.Name()),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"notification {work.NotificationId} tenant {work.TenantId} correlation {work.CorrelationId}";
    }
}
