using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Observability;
using Notifly.Grains.Recipients;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;
using Notifly.Grains.Tenants.Policies;
using Notifly.Grains.Tenants.RateLimits;

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
    RecipientIntake recipients,
    TemplateIntake templates,
    RateLimiter limiter,
    TenantPolicyCache policies,
    WakeUpSignal wakeUp,
    IOptions<KafkaIngestionOptions> options,
    IOptions<ChannelsOptions> channels,
    TimeProvider time,
    ILogger<KafkaIngestionService> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan WritePoll = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LagRefresh = TimeSpan.FromSeconds(1);

    private readonly KafkaIngestionOptions _options = options.Value;
    private readonly Queue<ConsumeResult<byte[], byte[]>> _carried = new();
    private long _lag;
    private long _lagRefreshedAt;

    // Consume blocks: the loop gets a thread of its own instead of holding a pool thread.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        NotiflyMetrics.TrackKafkaLag(this, () => Interlocked.Read(ref _lag));
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
                .Build();
            consumer.Subscribe(kafka.Topics.Requested);

            // Stages overlap: while earlier batches are being written to PostgreSQL (up to
            // MaxWritesInFlight transactions at once), the next is consumed, parsed and validated
            // here. Batches finish in order, so offsets are stored strictly after their batch and
            // every earlier one committed.
            var writing = new Queue<Prepared>();
            var stopped = false;
            while (!stopped && !stoppingToken.IsCancellationRequested)
            {
                var batch = new List<ConsumeResult<byte[], byte[]>>(_options.MaxBatchSize);
                Collect(consumer, batch, writing.TryPeek(out var oldest) ? oldest.Write : null);
                RefreshLag(consumer, force: false);
                var next = batch.Count > 0 ? Prepare(batch) : null;
                while (writing.TryPeek(out oldest)
                       && (oldest.Write!.IsCompleted || (next is not null && writing.Count >= _options.MaxWritesInFlight)))
                {
                    if (!Finish(consumer, producer, oldest, stoppingToken))
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
                    stopped = !Finish(consumer, producer, last, stoppingToken);
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

    /// <summary>
    /// Parses and validates a batch: the requests for the intake, the messages refused outright,
    /// and those that need the database first (a recipient profile, a template), left for
    /// <see cref="EnrichAsync"/> in the write stage so that the loop thread never waits on a query.
    /// </summary>
    private Prepared Prepare(List<ConsumeResult<byte[], byte[]>> batch)
    {
        var now = time.GetUtcNow();
        var enabled = channels.Value.Enabled;
        var prepared = new Prepared(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Message;
            var parsed = RefuseTurnedOff(RequestedMessageParser.Parse(message.Value, message.Headers, enabled, now, FallbackFor));
            if (parsed.NeedsProfile is not null || parsed.Request is { Template: not null })
            {
                prepared.Enrich.Add((i, parsed));
            }
            else if (parsed.Request is { } request)
            {
                prepared.Items.Add(new IntakeItem(parsed.TenantId!.Value, null, request));
                prepared.Sources.Add((i, parsed));
            }
            else
            {
                prepared.DeadLetters.Add(new DeadLetter(batch[i], parsed.ErrorCode!, parsed.ErrorMessage!, parsed.TenantId, parsed.NotificationId));
            }
        }

        return prepared;
    }

    /// <summary>A valid request using a channel the tenant turned off, refused with REST's CHANNEL_DISABLED; anything else as it is.</summary>
    private ParsedRequest RefuseTurnedOff(ParsedRequest parsed) =>
        parsed.Request is { } valid && TurnedOff(parsed.TenantId!.Value, valid) is { } off
            ? ParsedRequest.Refused(IngestionErrorCodes.ChannelDisabled,
                $"channel {off.Name()} is turned off for this tenant.", parsed.TenantId, parsed.NotificationId)
            : parsed;

    /// <summary>A channel of the request the tenant has turned off (settings), if any. Cached per node; a miss loads it once.</summary>
    private Channel? TurnedOff(Guid tenantId, ValidatedRequest request)
    {
        var disabled = policies.GetAsync(tenantId, CancellationToken.None).GetAwaiter().GetResult().Disabled;
        return disabled.Count > 0 && request.Channels.Any(disabled.Contains) ? request.Channels.First(disabled.Contains) : null;
    }

    /// <summary>
    /// The event type's fallback order less the tenant's turned-off channels, as REST's
    /// TenantChannelsAsync gives it. Cached per node like <see cref="TurnedOff"/>; the parser asks
    /// only for requests that name no channel.
    /// </summary>
    private Channel[]? FallbackFor(Guid tenantId, string eventType)
    {
        var tenant = policies.GetAsync(tenantId, CancellationToken.None).GetAwaiter().GetResult();
        return tenant.FallbackFor(eventType)?.Where(c => !tenant.Disabled.Contains(c)).ToArray();
    }

    /// <summary>
    /// The REST intake's database-backed policies for the messages that need them (docs/0009,
    /// docs/0007): per tenant of the batch, one query fills the missing addresses from the
    /// recipient profiles and one loads the templates; each request is then validated and
    /// rendered as over REST, and what is refused becomes a dead letter with REST's code.
    /// </summary>
    private async Task EnrichAsync(Prepared prepared, CancellationToken stoppingToken)
    {
        if (prepared.Enriched || prepared.Enrich.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var enabled = channels.Value.Enabled;
        var batch = prepared.Batch;
        var items = new List<IntakeItem>();
        var sources = new List<(int Index, ParsedRequest Parsed)>();
        var deadLetters = new List<DeadLetter>();
        foreach (var tenant in prepared.Enrich.GroupBy(e => e.Parsed.TenantId!.Value))
        {
            var unfilled = tenant.Where(e => e.Parsed.NeedsProfile is not null).Select(e => e.Parsed.NeedsProfile).ToArray();
            var filled = unfilled.Length == 0 ? [] : await recipients.FillAsync(tenant.Key, unfilled, stoppingToken);
            var validated = new List<(int Index, ParsedRequest Parsed)>();
            var f = 0;
            foreach (var (index, original) in tenant)
            {
                var parsed = original.NeedsProfile is null
                    ? original
                    : RefuseTurnedOff(RequestedMessageParser.Validate(tenant.Key, original.NotificationId!, filled[f++]!, enabled, now, FallbackFor));
                if (parsed.Request is null)
                {
                    deadLetters.Add(new DeadLetter(batch[index], parsed.ErrorCode!, parsed.ErrorMessage!, parsed.TenantId, parsed.NotificationId));
                }
                else
                {
                    validated.Add((index, parsed));
                }
            }

            var rendered = await templates.RenderAllAsync(tenant.Key, validated.Select(v => v.Parsed.Request!).ToArray(), stoppingToken);
            for (var n = 0; n < validated.Count; n++)
            {
                var (index, parsed) = validated[n];
                if (rendered[n].IsValid)
                {
                    items.Add(new IntakeItem(tenant.Key, null, rendered[n].Request!));
                    sources.Add((index, parsed with { Request = rendered[n].Request }));
                }
                else
                {
                    var refused = RequestedMessageParser.Refused(rendered[n], tenant.Key, parsed.NotificationId!);
                    deadLetters.Add(new DeadLetter(batch[index], refused.ErrorCode!, refused.ErrorMessage!, refused.TenantId, refused.NotificationId));
                }
            }
        }

        // All at once and only when every query succeeded: a write retried after a failure here
        // enriches again from scratch, and one retried after a later failure (rate limiter,
        // intake) finds Enriched set, so nothing is added twice. The lists are the batch's own,
        // read by Finish only after it has awaited this task, so appending from the pool is safe.
        prepared.Items.AddRange(items);
        prepared.Sources.AddRange(sources);
        prepared.DeadLetters.AddRange(deadLetters);
        prepared.Enriched = true;
    }

    private async Task<IntakeOutcome[]> WriteAsync(Prepared prepared, CancellationToken stoppingToken)
    {
        await EnrichAsync(prepared, stoppingToken);
        var items = prepared.Items;
        if (items.Count == 0)
        {
            return [];
        }

        if (!prepared.Scheduled)
        {
            // Once per batch, not per try: a write retried after a database failure must not
            // charge the tenants a second time.
            await ScheduleOverLimitAsync(items, stoppingToken);
            prepared.Scheduled = true;
        }

        var started = Stopwatch.GetTimestamp();
        var outcomes = await intake.WriteAsync(items, stoppingToken);
        NotiflyMetrics.KafkaIngestCommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return outcomes;
    }

    /// <summary>
    /// Rate limits without dropping (docs/0006): each tenant's requests are charged with one lease
    /// for the whole batch, and those the bucket cannot pay for now keep their place but have
    /// sendAt moved to when their token comes due (a client's later sendAt stands).
    /// </summary>
    private async Task ScheduleOverLimitAsync(List<IntakeItem> items, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var byTenant = new Dictionary<Guid, List<int>>();
        for (var i = 0; i < items.Count; i++)
        {
            if (!byTenant.TryGetValue(items[i].TenantId, out var indexes))
            {
                byTenant[items[i].TenantId] = indexes = [];
            }

            indexes.Add(i);
        }

        var waits = await limiter.ScheduleAsync(byTenant.Select(t => (t.Key, t.Value.Count)).ToArray(), now, stoppingToken);
        var limited = 0;
        foreach (var (tenantId, indexes) in byTenant)
        {
            var tenantWaits = waits[tenantId];
            for (var n = 0; n < indexes.Count; n++)
            {
                var item = items[indexes[n]];
                var until = now + tenantWaits[n];
                if (tenantWaits[n] <= TimeSpan.Zero || item.Request.SendAt >= until)
                {
                    continue;
                }

                items[indexes[n]] = item with { Request = item.Request with { SendAt = until }, RateLimited = true };
                limited++;
            }
        }

        NotiflyMetrics.RateLimited.Add(limited, new KeyValuePair<string, object?>("source", "kafka"));
    }

    /// <summary>
    /// Waits for the batch's write (retrying it until it succeeds), dead-letters what was refused,
    /// then stores the offsets.
    /// </summary>
    /// <returns>false when stopping before the batch was done.</returns>
    private bool Finish(
        IConsumer<byte[], byte[]> consumer, IProducer<byte[], byte[]> producer, Prepared prepared, CancellationToken stoppingToken)
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

        StoreOffsets(consumer, batch);
        RefreshLag(consumer, force: true);

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

    /// <summary>Next offset to read per partition: the highest offset in the batch plus one.</summary>
    private void StoreOffsets(IConsumer<byte[], byte[]> consumer, List<ConsumeResult<byte[], byte[]>> batch)
    {
        var next = new Dictionary<TopicPartition, long>();
        foreach (var result in batch)
        {
            if (!next.TryGetValue(result.TopicPartition, out var offset) || result.Offset.Value + 1 > offset)
            {
                next[result.TopicPartition] = result.Offset.Value + 1;
            }
        }

        foreach (var (partition, offset) in next)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition, offset));
            }
            catch (KafkaException ex)
            {
                // The partition moved to another consumer meanwhile: it re-reads from the last
                // commit, and the unique keys absorb what this batch already wrote.
                LogStoreSkipped(partition.ToString(), ex.Error.Reason);
            }
        }
    }

    /// <summary>High watermark minus position, summed over the assigned partitions (cached values, no broker round trip).</summary>
    private void RefreshLag(IConsumer<byte[], byte[]> consumer, bool force)
    {
        var now = Stopwatch.GetTimestamp();
        if (!force && Stopwatch.GetElapsedTime(_lagRefreshedAt, now) < LagRefresh)
        {
            return;
        }

        _lagRefreshedAt = now;
        long lag = 0;
        try
        {
            foreach (var partition in consumer.Assignment)
            {
                var high = consumer.GetWatermarkOffsets(partition).High;
                var position = consumer.Position(partition);
                if (high != Offset.Unset && position != Offset.Unset)
                {
                    lag += Math.Max(0, high.Value - position.Value);
                }
            }
        }
        catch (KafkaException)
        {
            return; // keep the last value; the next refresh tries again
        }

        Interlocked.Exchange(ref _lag, lag);
    }

    /// <summary>A batch parsed and validated, and once started, its write.</summary>
    private sealed class Prepared(List<ConsumeResult<byte[], byte[]>> batch)
    {
        public List<ConsumeResult<byte[], byte[]>> Batch { get; } = batch;

        public List<IntakeItem> Items { get; } = new(batch.Count);

        public List<(int Index, ParsedRequest Parsed)> Sources { get; } = new(batch.Count);

        public List<DeadLetter> DeadLetters { get; } = [];

        /// <summary>Messages that need a recipient profile or a template before they can join <see cref="Items"/>.</summary>
        public List<(int Index, ParsedRequest Parsed)> Enrich { get; } = [];

        /// <summary><see cref="Enrich"/> has been worked off into Items, Sources and DeadLetters (once, whatever the retries).</summary>
        public bool Enriched { get; set; }

        public Task<IntakeOutcome[]>? Write { get; set; }

        /// <summary>The rate limiter has charged this batch and moved its over-limit requests' sendAt.</summary>
        public bool Scheduled { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client}: {Code} {Reason}")]
    private partial void LogKafkaError(string client, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion batch failed at {Kind} (attempt {Attempt}); retrying the same batch in {Delay}")]
    private partial void LogRetrying(Exception ex, string kind, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead-lettered {Topic}[{Partition}]@{Offset}: {Code} {Reason}")]
    private partial void LogDeadLettered(string topic, int partition, long offset, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Offset for {Partition} not stored: {Reason}")]
    private partial void LogStoreSkipped(string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: a batch did not finish; it and later ones will be redelivered")]
    private partial void LogLastBatchUnfinished(Exception ex);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka ingestion stopped")]
    private partial void LogStopped(Exception ex);
}
