using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.Grains.Intake;
using Notifly.Grains.Observability;
using Notifly.Grains.Runtime;
using ErrorCode = Confluent.Kafka.ErrorCode; // not Orleans.ErrorCode (the Orleans SDK's implicit using)

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// Consumes <c>notification.requested</c> in big batches and writes each batch with one
/// <see cref="IntakeBatch.WriteAsync"/> — the REST intake's transaction, not its queue. Offsets
/// are stored only after the batch is durable and its refused messages are on the dead-letter
/// topic, so a crash in between redelivers the batch and the (tenant, notificationId) unique key
/// absorbs the duplicates. A batch that cannot be written is retried, never skipped.
/// </summary>
public sealed partial class KafkaIngestionService(
    KafkaClients kafka,
    IntakeBatch intake,
    IngestionPolicies policies,
    WakeUpSignal wakeUp,
    IOptions<KafkaIngestionOptions> options,
    TimeProvider time,
    ILogger<KafkaIngestionService> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan WritePoll = TimeSpan.FromMilliseconds(2);

    private readonly KafkaIngestionOptions _options = options.Value;
    private readonly Queue<ConsumeResult<byte[], byte[]>> _carried = new();

    // Consume blocks: the loop gets a thread of its own instead of holding a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var position = new ConsumerPosition(logger);
        NotiflyMetrics.TrackKafkaLag(this, () => position.Lag);
        try
        {
            var producerConfig = kafka.Producer("notifly-ingest-dlt");
            // A dead letter that cannot be delivered fails within this time and the batch is
            // retried, instead of blocking the loop (and the group's poll deadline) for minutes.
            producerConfig.MessageTimeoutMs = 30_000;
            using var producer = new ProducerBuilder<byte[], byte[]>(producerConfig)
                .SetErrorHandler((_, e) => LogKafkaError("dead-letter producer", e.Code, e.Reason))
                .Build();

            var consumerConfig = kafka.Consumer($"notifly-ingest-{Environment.MachineName}", _options.ConsumerGroup);
            // Offsets are stored by hand after the batch commits in PostgreSQL; librdkafka then
            // commits stored offsets periodically and on revoke and close.
            consumerConfig.EnableAutoOffsetStore = false;
            consumerConfig.EnableAutoCommit = true;
            using var consumer = new ConsumerBuilder<byte[], byte[]>(consumerConfig)
                .SetErrorHandler((_, e) => LogKafkaError("consumer", e.Code, e.Reason))
                // Who reads which partition, for whoever wonders why ingestion paused: a group
                // rebalances whenever a node joins, leaves or stops answering.
                .SetPartitionsAssignedHandler((_, partitions) => LogPartitions("assigned", Describe(partitions)))
                .SetPartitionsRevokedHandler((_, partitions) => LogPartitions("revoked", Describe(partitions.Select(p => p.TopicPartition))))
                .SetPartitionsLostHandler((_, partitions) => LogPartitions("lost", Describe(partitions.Select(p => p.TopicPartition))))
                .Build();
            consumer.Subscribe(kafka.Topics.Requested);

            // Stages overlap: while earlier batches are being written to PostgreSQL (up to
            // MaxWritesInFlight transactions at once), the next is consumed, parsed and validated
            // here. Batches finish in order, so offsets are stored strictly after their batch and
            // every earlier one committed.
            var writing = new Queue<PreparedBatch>();
            var stopped = false;
            while (!stopped && !stoppingToken.IsCancellationRequested)
            {
                var batch = new List<ConsumeResult<byte[], byte[]>>(_options.MaxBatchSize);
                Collect(consumer, batch, writing.TryPeek(out var oldest) ? oldest.Write : null);
                position.RefreshLag(consumer, force: false);
                // Preparing may load a tenant's policies: a database that is restarting is waited
                // out here as a write is, never allowed to stop ingestion (and with it the node).
                PreparedBatch? next = null;
                if (batch.Count > 0 && !RetryUntilDone(consumer, "database", () =>
                    {
                        next = policies.Prepare(batch);
                        return Task.CompletedTask;
                    }, stoppingToken))
                {
                    break; // stopping: this batch's offsets are never stored, so it is redelivered
                }

                while (writing.TryPeek(out oldest)
                       && (oldest.Write!.IsCompleted || (next is not null && writing.Count >= _options.MaxWritesInFlight)))
                {
                    if (!Finish(consumer, position, producer, oldest, stoppingToken))
                    {
                        stopped = true; // stopping mid-batch: nothing stored, the batch is redelivered
                        break;
                    }

                    writing.Dequeue();
                }

                if (next is not null && !stopped)
                {
                    // On the pool: the intake builds its parameter arrays before its first await,
                    // and that work belongs beside the next batch's parsing, not before it.
                    next.Write = Task.Run(() => WriteAsync(next, stoppingToken), CancellationToken.None);
                    writing.Enqueue(next);
                }
            }

            // Stopping with writes under way: those that commit get their offsets stored, in
            // order, up to the first that does not (it and everything after are redelivered, the
            // unique keys absorbing whatever did commit).
            while (!stopped && writing.TryDequeue(out var last))
            {
                try
                {
                    last.Write!.GetAwaiter().GetResult();
                    stopped = !Finish(consumer, position, producer, last, stoppingToken);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogLastBatchUnfinished(ex);
                    stopped = true;
                }
            }

            // Commits the offsets stored so far and leaves the group at once, so the partitions
            // move to another node without waiting for the session to time out.
            consumer.Close();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStopped(ex);
            throw;
        }
        finally
        {
            NotiflyMetrics.UntrackKafkaLag(this);
        }
    }

    /// <summary>Up to MaxBatchSize messages: waits for the first, then MaxBatchWait for more, and always takes what is already fetched.</summary>
    /// <param name="writing">The oldest write under way: while it runs, waiting for a first message ends when it does.</param>
    private void Collect(IConsumer<byte[], byte[]> consumer, List<ConsumeResult<byte[], byte[]>> batch, Task? writing)
    {
        while (batch.Count < _options.MaxBatchSize && _carried.TryDequeue(out var carried))
        {
            batch.Add(carried);
        }

        var idleUntil = Stopwatch.GetTimestamp() + (long)(IdlePoll.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count == 0 && Stopwatch.GetTimestamp() < idleUntil)
        {
            if (Consume(consumer, writing is null ? IdlePoll : WritePoll) is { } first)
            {
                batch.Add(first);
            }
            else if (writing is { IsCompleted: true })
            {
                return; // nothing new: go and finish the write that just completed
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxBatchWait.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _options.MaxBatchSize)
        {
            var remaining = deadline - Stopwatch.GetTimestamp();
            var next = Consume(consumer, remaining > 0 ? TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency) : TimeSpan.Zero);
            if (next is null)
            {
                return;
            }

            batch.Add(next);
        }
    }

    private ConsumeResult<byte[], byte[]>? Consume(IConsumer<byte[], byte[]> consumer, TimeSpan timeout)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException ex)
        {
            NotiflyMetrics.KafkaIngestErrors.Add(1, new KeyValuePair<string, object?>("kind", "consume"));
            LogKafkaError("consumer", ex.Error.Code, ex.Error.Reason);
            return null;
        }
    }

    private async Task<IntakeOutcome[]> WriteAsync(PreparedBatch prepared, CancellationToken stoppingToken)
    {
        await policies.EnrichAsync(prepared, stoppingToken);
        var items = prepared.Items;
        if (items.Count == 0)
        {
            return [];
        }

        if (!prepared.Scheduled)
        {
            // Once per batch, not per try: a write retried after a database failure must not
            // charge the tenants a second time.
            await policies.ScheduleOverLimitAsync(items, stoppingToken);
            prepared.Scheduled = true;
        }

        var started = Stopwatch.GetTimestamp();
        var outcomes = await intake.WriteAsync(items, stoppingToken);
        NotiflyMetrics.KafkaIngestCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return outcomes;
    }

    /// <summary>
    /// Waits for the batch's write (retrying it until it succeeds), dead-letters what was refused,
    /// then stores the offsets.
    /// </summary>
    /// <returns>false when stopping before the batch was done.</returns>
    private bool Finish(
        IConsumer<byte[], byte[]> consumer, ConsumerPosition position, IProducer<byte[], byte[]> producer, PreparedBatch prepared, CancellationToken stoppingToken)
    {
        var batch = prepared.Batch;
        var itemSources = prepared.Sources;
        var deadLetters = prepared.DeadLetters;
        var started = prepared.Write;
        IntakeOutcome[] outcomes = [];
        if (!RetryUntilDone(consumer, "database", async () =>
            {
                // The first try is the write started while this batch was being collected.
                var write = started ?? WriteAsync(prepared, stoppingToken);
                started = null;
                outcomes = await write;
            }, stoppingToken))
        {
            return false;
        }

        long accepted = 0, duplicates = 0;
        for (var n = 0; n < outcomes.Length; n++)
        {
            var (index, parsed) = itemSources[n];
            switch (outcomes[n])
            {
                case IntakeOutcome.Accepted { Replayed: true }:
                    duplicates++;
                    break;
                case IntakeOutcome.Accepted:
                    accepted++;
                    break;
                case IntakeOutcome.Conflict conflict:
                    deadLetters.Add(new DeadLetter(batch[index], IngestionErrorCodes.IdempotentConflict,
                        $"notificationId already used by notification {conflict.ExistingRequestId} with a different request.",
                        parsed.TenantId, parsed.NotificationId));
                    break;
                case IntakeOutcome.Invalid invalid:
                    deadLetters.Add(new DeadLetter(batch[index], IngestionErrorCodes.ValidationFailed, invalid.Message,
                        parsed.TenantId, parsed.NotificationId));
                    break;
                case IntakeOutcome.Failed failed:
                    // A partition never blocks on one message: what failed alone, after its batch was
                    // split, goes to the DLT (and the log) rather than being retried for ever.
                    LogItemFailed(failed.Error, batch[index].TopicPartitionOffset.ToString());
                    deadLetters.Add(new DeadLetter(batch[index], IngestionErrorCodes.InternalError,
                        "the request could not be stored; see the node's log.", parsed.TenantId, parsed.NotificationId));
                    break;
                default:
                    deadLetters.Add(new DeadLetter(batch[index], IngestionErrorCodes.TenantNotFound,
                        "the tenant does not exist or is not active.", parsed.TenantId, parsed.NotificationId));
                    break;
            }
        }

        if (accepted > 0)
        {
            wakeUp.Wake();
        }

        var pending = deadLetters;
        if (pending.Count > 0 && !RetryUntilDone(consumer, "dead_letter", async () =>
            {
                pending = await ProduceDeadLettersAsync(producer, pending, stoppingToken);
                if (pending.Count > 0)
                {
                    throw new KafkaException(ErrorCode.Local_MsgTimedOut);
                }
            }, stoppingToken))
        {
            return false;
        }

        position.StoreOffsets(consumer, batch);
        position.RefreshLag(consumer, force: true);

        NotiflyMetrics.KafkaIngestBatchSize.Record(batch.Count);
        NotiflyMetrics.KafkaIngestMessages.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        NotiflyMetrics.KafkaIngestMessages.Add(duplicates, new KeyValuePair<string, object?>("outcome", "duplicate"));
        foreach (var group in deadLetters.GroupBy(d => d.ErrorCode))
        {
            NotiflyMetrics.KafkaIngestMessages.Add(group.Count(),
                new KeyValuePair<string, object?>("outcome", "dead_lettered"), new KeyValuePair<string, object?>("reason", group.Key));
        }

        return true;
    }

    /// <returns>The dead letters that could not be delivered (retried with the batch).</returns>
    private async Task<List<DeadLetter>> ProduceDeadLettersAsync(
        IProducer<byte[], byte[]> producer, List<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var delivered = await Task.WhenAll(deadLetters.Select(async d =>
        {
            try
            {
                await producer.ProduceAsync(kafka.Topics.RequestedDeadLetter, d.ToMessage(now), cancellationToken);
                LogDeadLettered(d.Source.Topic, d.Source.Partition.Value, d.Source.Offset.Value, d.ErrorCode, d.ErrorMessage);
                return true;
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                LogKafkaError("dead-letter producer", ex.Error.Code, ex.Error.Reason);
                return false;
            }
        }));
        return deadLetters.Where((_, i) => !delivered[i]).ToList();
    }

    /// <summary>
    /// Runs <paramref name="step"/> until it succeeds or the service stops, backing off between
    /// tries. Meanwhile the assigned partitions are paused and the consumer keeps polling, so the
    /// group does not evict us for missing max.poll.interval.ms during a long database outage.
    /// </summary>
    /// <returns>false when stopping.</returns>
    private bool RetryUntilDone(IConsumer<byte[], byte[]> consumer, string kind, Func<Task> step, CancellationToken stoppingToken)
    {
        var delay = _options.RetryInitialDelay;
        var paused = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                step().GetAwaiter().GetResult();
                if (paused)
                {
                    consumer.Resume(consumer.Assignment);
                }

                return true;
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                NotiflyMetrics.KafkaIngestErrors.Add(1, new KeyValuePair<string, object?>("kind", kind));
                NotiflyMetrics.CountDatabaseError(ex);
                LogRetrying(ex, kind, attempt, delay);
            }

            if (!paused)
            {
                consumer.Pause(consumer.Assignment);
                paused = true;
            }

            var until = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until && !stoppingToken.IsCancellationRequested)
            {
                // Messages fetched before the pause, or from partitions assigned since, are kept
                // for the next batch in order: dropping them would skip them once offsets move on.
                if (Consume(consumer, TimeSpan.FromMilliseconds(100)) is { } early)
                {
                    _carried.Enqueue(early);
                    consumer.Pause(consumer.Assignment);
                }
            }

            if (stoppingToken.IsCancellationRequested)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.RetryMaxDelay.Ticks));
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.Select(p => p.Partition.Value).Order());

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingestion: partitions {Change}: [{Partitions}]")]
    private partial void LogPartitions(string change, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client}: {Code} {Reason}")]
    private partial void LogKafkaError(string client, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion batch failed at {Kind} (attempt {Attempt}); retrying the same batch in {Delay}")]
    private partial void LogRetrying(Exception ex, string kind, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Code} {Reason}")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: a batch did not finish; it and later ones will be redelivered")]
    private partial void LogLastBatchUnfinished(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka request at {Source} failed alone and was dead-lettered")]
    private partial void LogItemFailed(Exception ex, string source);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka ingestion stopped")]
    private partial void LogStopped(Exception ex);
}
