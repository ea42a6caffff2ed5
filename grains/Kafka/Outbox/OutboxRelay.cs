using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Kafka.Outbox;

/// <summary>
/// Publishes <c>notification_outbox</c> to Kafka (docs/0005): claims a batch with
/// <c>FOR UPDATE SKIP LOCKED</c>, produces it, and deletes what the brokers acknowledged (or, with
/// a retention, marks it sent) in the same transaction. What failed stays unsent and is retried
/// with backoff, so a broker outage only delays events. At least once: a crash between delivery
/// and commit publishes again, and consumers dedupe on the event id.
/// </summary>
public sealed partial class OutboxRelay(
    Database database,
    KafkaClients kafka,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private const int SweepChunk = 10_000;

    private readonly OutboxOptions _options = options.Value;
    private IProducer<string, byte[]>? _producer;
    private volatile bool _producerBroken;
    private DateTimeOffset _nextSweep;
    private double _oldestPendingSeconds;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        NotiflyMetrics.TrackOutboxPending(this, () => Volatile.Read(ref _oldestPendingSeconds));
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        NotiflyMetrics.UntrackOutboxPending(this);
        _producer?.Dispose();
        _producer = null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the loop must not hold up the host's start
        var backoff = TimeSpan.Zero;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Cycle cycle;
                try
                {
                    cycle = await RelayBatchAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // PostgreSQL unreachable, or a commit failed after publishing (those rows go
                    // out again: at least once). Nothing is lost; try again after a pause.
                    NotiflyMetrics.CountDatabaseError(ex);
                    LogRelayFailed(ex);
                    cycle = new Cycle(0, 0, 1);
                }

                if (cycle.Failed > 0)
                {
                    backoff = Grow(backoff);
                    await Task.Delay(backoff, time, stoppingToken);
                    continue;
                }

                backoff = TimeSpan.Zero;
                await SweepIfDueAsync(stoppingToken);

                // A full batch that published something means more is waiting: go again at once.
                // Otherwise (empty, or held back behind another relay's rows) wait for a commit or the poll.
                if (cycle.Claimed < _options.BatchSize || cycle.Published == 0)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping; claimed rows were rolled back and go out on the next relay's claim
        }
    }

    private TimeSpan Grow(TimeSpan backoff) =>
        backoff == TimeSpan.Zero ? InitialBackoff : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));

    private async Task<Cycle> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<OutboxRow>();
        var claimed = 0;
        DateTimeOffset? oldest = null;
        await using (var command = new NpgsqlCommand(
            """
            WITH claimed AS MATERIALIZED (
                SELECT id, tenant_id, notification_id, topic, event_payload, created_at, correlation_id, event_type, trace_parent
                  FROM notification_outbox
                 WHERE sent_at IS NULL
                 ORDER BY id
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED
            ), held AS (
                -- Unsent rows below the batch's last id that the claim skipped: another relay holds
                -- them. A claimed row with an earlier one of the same notification among them would
                -- be published before it, so it stays for a later cycle. One walk of the unsent
                -- index over the claim's range, usually finding nothing, instead of a probe per row.
                SELECT e.notification_id, min(e.id) AS first_id
                  FROM notification_outbox e
                 WHERE e.sent_at IS NULL AND e.id < (SELECT max(id) FROM claimed)
                   AND e.id NOT IN (SELECT id FROM claimed)
                 GROUP BY e.notification_id
            )
            SELECT c.id, c.tenant_id, c.notification_id, c.topic, c.event_payload::text, c.created_at,
                   -- Rows written before migration 0016 lack these; only they look the notification up.
                   coalesce(c.correlation_id, (SELECT n.correlation_id FROM notifications n WHERE n.id = c.notification_id)),
                   coalesce(c.event_type, (SELECT n.event_type FROM notifications n WHERE n.id = c.notification_id)),
                   coalesce(h.first_id < c.id, false) AS held_back, c.trace_parent
              FROM claimed c
              LEFT JOIN held h ON h.notification_id = c.notification_id
             ORDER BY c.id
            """, connection, transaction).With(_options.BatchSize))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed++;
                var createdAt = reader.GetFieldValue<DateTimeOffset>(5);
                oldest ??= createdAt;
                if (reader.GetBoolean(8))
                {
                    continue;
                }

                rows.Add(new OutboxRow(
                    reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetString(4), createdAt,
                    reader.IsDBNull(6) ? null : reader.GetGuid(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(9) ? null : reader.GetString(9)));
            }
        }

        Volatile.Write(ref _oldestPendingSeconds, oldest is { } o ? Math.Max(0, (time.GetUtcNow() - o).TotalSeconds) : 0);
        if (rows.Count == 0)
        {
            return new Cycle(claimed, 0, 0);
        }

        var (sent, failed) = await PublishAsync(rows, cancellationToken);

        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            if (sent.Count > 0)
            {
                // Without retention a published row is deleted: a small WAL record, where marking it
                // sent wrote a whole new version of the row (and its index entries) to delete later.
                // Rows are found by their key, (notification id, id): the table is partitioned by
                // the notification's day (migration 0027), and the key reaches one partition.
                batch.BatchCommands.Add(_options.Retention == TimeSpan.Zero
                    ? new NpgsqlBatchCommand(
                        """
                        DELETE FROM notification_outbox o USING unnest($1::uuid[], $2::bigint[]) AS u(notification_id, id)
                         WHERE o.notification_id = u.notification_id AND o.id = u.id
                        """)
                        .With(sent.Select(r => r.NotificationId).ToArray()).With(sent.Select(r => r.Id).ToArray())
                    : new NpgsqlBatchCommand(
                        """
                        UPDATE notification_outbox o SET sent_at = $3 FROM unnest($1::uuid[], $2::bigint[]) AS u(notification_id, id)
                         WHERE o.notification_id = u.notification_id AND o.id = u.id
                        """)
                        .With(sent.Select(r => r.NotificationId).ToArray()).With(sent.Select(r => r.Id).ToArray()).With(time.GetUtcNow()));
            }

            if (failed.Count > 0)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(
                    """
                    UPDATE notification_outbox o
                       SET retry_count = o.retry_count + 1, last_error = u.error
                      FROM unnest($3::uuid[], $1::bigint[], $2::text[]) AS u(notification_id, id, error)
                     WHERE o.notification_id = u.notification_id AND o.id = u.id
                    """)
                    .With(failed.Select(f => f.Row.Id).ToArray())
                    .With(failed.Select(f => f.Error).ToArray())
                    .With(failed.Select(f => f.Row.NotificationId).ToArray()));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        foreach (var group in sent.GroupBy(r => r.Topic))
        {
            NotiflyMetrics.OutboxPublished.Add(group.Count(), new KeyValuePair<string, object?>("topic", group.Key));
        }

        foreach (var group in failed.GroupBy(f => f.Row.Topic))
        {
            NotiflyMetrics.OutboxPublishFailures.Add(group.Count(), new KeyValuePair<string, object?>("topic", group.Key));
        }

        if (failed.Count > 0)
        {
            LogPublishFailed(failed.Count, rows.Count, failed[0].Error);
        }

        return new Cycle(claimed, sent.Count, failed.Count);
    }

    /// <summary>Produces every row and waits for each delivery report.</summary>
    private async Task<(List<OutboxRow> Sent, List<(OutboxRow Row, string Error)> Failed)> PublishAsync(
        List<OutboxRow> rows, CancellationToken cancellationToken)
    {
        var producer = Producer();
        var deliveries = new Task[rows.Count];
        // One producer span per event, in its notification's trace, ended by the broker's
        // acknowledgement. Each is started beside the others, not inside the one before.
        var spans = new Activity?[rows.Count];
        var outer = Activity.Current;
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                var topic = kafka.Topics.Resolve(rows[i].Topic);
                spans[i] = NotiflyTracing.Source.StartActivity($"{topic} publish", ActivityKind.Producer, NotiflyTracing.Parent(rows[i].TraceParent));
                Activity.Current = outer;
                spans[i]?.SetTag("messaging.system", "kafka").SetTag("messaging.destination.name", topic)
                    .SetTag("notifly.notification_id", rows[i].NotificationId).SetTag("notifly.tenant_id", rows[i].TenantId);
                var message = OutboxMessages.Build(rows[i], topic, NotiflyTracing.TraceParentOf(spans[i]) ?? rows[i].TraceParent);
                deliveries[i] = producer.ProduceAsync(topic, message, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                deliveries[i] = Task.FromException(ex);
            }
        }

        var sent = new List<OutboxRow>(rows.Count);
        var failed = new List<(OutboxRow, string)>();
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                await deliveries[i];
                sent.Add(rows[i]);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                foreach (var span in spans.Skip(i))
                {
                    span?.Dispose();
                }

                throw; // stopping: roll back, the rows go out on the next start (at least once)
            }
            catch (Exception ex)
            {
                failed.Add((rows[i], ex.Message));
                spans[i]?.SetStatus(ActivityStatusCode.Error, ex.Message);
            }

            spans[i]?.Dispose();
        }

        return (sent, failed);
    }

    private IProducer<string, byte[]> Producer()
    {
        if (_producerBroken && _producer is not null)
        {
            // A fatal error (e.g. the idempotent producer lost its sequence) ends the handle: start a new one.
            _producer.Dispose();
            _producer = null;
        }

        if (_producer is null)
        {
            var config = kafka.Producer("notifly-outbox-relay");
            // Kafka:Properties may set it too, and then wins.
            config.MessageTimeoutMs ??= (int)_options.MessageTimeout.TotalMilliseconds;
            _producerBroken = false;
            _producer = new ProducerBuilder<string, byte[]>(config)
                // librdkafka's own log (connection refused during an outage, …) into ours, not stderr.
                .SetLogHandler((_, message) => LogClient(message.Name, message.Message))
                .SetErrorHandler((_, error) =>
                {
                    if (error.IsFatal)
                    {
                        _producerBroken = true;
                        LogProducerFatal(error.Reason);
                    }
                })
                .Build();
        }

        return _producer;
    }

    /// <summary>
    /// Deletes sent rows past their retention, in chunks so no single statement runs long. Sent rows
    /// exist only with a retention, or from relays before migration 0016; the partial index on them
    /// makes the sweep free when there are none.
    /// </summary>
    private async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SweepInterval;
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            int deleted;
            do
            {
                // Old rows sit at the low end of the id order, so walking the sent rows' index finds them first.
                await using var command = new NpgsqlCommand(
                    """
                    DELETE FROM notification_outbox
                     WHERE (notification_id, id) IN (SELECT notification_id, id FROM notification_outbox
                                                      WHERE sent_at IS NOT NULL AND sent_at < $1 ORDER BY id LIMIT $2)
                    """, connection).With(now - _options.Retention).With(SweepChunk);
                deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            }
            while (deleted == SweepChunk);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(ex); // sent rows only cost space; the next sweep catches up
        }
    }

    private readonly record struct Cycle(int Claimed, int Published, int Failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay: {Failed} of {Total} events not published, will retry: {Error}")]
    private partial void LogPublishFailed(int failed, int total, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox relay cycle failed; retrying")]
    private partial void LogRelayFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Client}: {Message}")]
    private partial void LogClient(string client, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox retention sweep failed")]
    private partial void LogSweepFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox producer hit a fatal error and will be recreated: {Reason}")]
    private partial void LogProducerFatal(string reason);
}
