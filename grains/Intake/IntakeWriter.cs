using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Grains.Observability;
using Notifly.Grains.Runtime;

namespace Notifly.Grains.Intake;

/// <summary>
/// Group commit for intake: requests from every connection queue here, and a few writers each
/// take everything queued and commit it in one transaction (<see cref="IntakeBatch"/>). A
/// request's task completes only after its batch commits: a 202 means durable.
/// </summary>
public sealed partial class IntakeWriter(
    IntakeBatch batch, WakeUpSignal wakeUp, IOptions<IntakeOptions> options, ILogger<IntakeWriter> logger) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });

    public async Task<IntakeOutcome[]> SubmitAsync(IReadOnlyList<IntakeItem> items, CancellationToken cancellationToken)
    {
        var pending = new Pending[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            pending[i] = new Pending(items[i]);
            await _queue.Writer.WriteAsync(pending[i], cancellationToken);
        }

        // Once queued, a request is committed even if its caller goes away: the client may
        // retry with its idempotency key and will be answered with this outcome.
        return await Task.WhenAll(pending.Select(p => p.Completion.Task));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => Task.Run(() => WriteLoopAsync(stoppingToken), CancellationToken.None)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: everything already queued is written before the writers exit.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var max = options.Value.MaxBatchSize;
        var taken = new List<Pending>(max);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (taken.Count < max && _queue.Reader.TryRead(out var item))
            {
                taken.Add(item);
            }

            if (taken.Count == 0)
            {
                continue;
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                var outcomes = await batch.WriteAsync(taken.Select(p => p.Item).ToArray(), CancellationToken.None);
                NotiflyMetrics.IntakeCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                NotiflyMetrics.IntakeBatchSize.Record(taken.Count);
                for (var i = 0; i < taken.Count; i++)
                {
                    if (outcomes[i] is IntakeOutcome.Failed failed)
                    {
                        LogItemFailed(failed.Error); // this request alone: its neighbours were written
                    }

                    taken[i].Completion.TrySetResult(outcomes[i]);

                    NotiflyMetrics.IntakeRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcomes[i] switch
                    {
                        IntakeOutcome.Accepted { Replayed: true } => "replayed",
                        IntakeOutcome.Accepted => "accepted",
                        IntakeOutcome.Conflict => "conflict",
                        IntakeOutcome.Invalid => "invalid",
                        IntakeOutcome.Failed => "failed",
                        _ => "unauthorized",
                    }));
                }

                wakeUp.Wake();
            }
            catch (Exception ex)
            {
                LogBatchFailed(ex, taken.Count);
                foreach (var p in taken)
                {
                    p.Completion.TrySetException(ex);
                }
            }

            taken.Clear();
        }
    }

    private sealed class Pending(IntakeItem item)
    {
        public IntakeItem Item { get; } = item;

        public TaskCompletionSource<IntakeOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Intake batch of {Count} failed")]
    private partial void LogBatchFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "One request of an intake batch failed; the rest were written")]
    private partial void LogItemFailed(Exception ex);
}
