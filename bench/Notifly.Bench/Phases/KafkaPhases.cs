using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Confluent.Kafka;
using Npgsql;
using Notifly.Bench.Kafka;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;
using Notifly.Grains.Observability;
using Notifly.Silo.Hosting;

namespace Notifly.Bench.Phases;

/// <summary>
/// Kafka intake (ARCHITECTURE.md §7: ≥ 20,000 requests/s from notification.requested to
/// durable): the same backlog read by a bare consumer (the ceiling: Kafka client and broker
/// alone) and then ingested by a Notifly worker into PostgreSQL.
/// </summary>
public static class KafkaPhases
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(50);

    /// <summary>The ceiling: a consumer group member reading every message and touching its bytes, nothing else.</summary>
    public static async Task<PhaseResult> RawConsumeAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var backlog = await context.KafkaBacklogAsync(cancellationToken);
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = backlog.Cluster.BootstrapServers,
            GroupId = "bench-raw-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
        }).Build();
        consumer.Subscribe(backlog.Topics.Requested);

        var (read, bytes, first, last, cpuFirst, cpuLast) = await Task.Run(() =>
        {
            long n = 0, total = 0, started = 0;
            CpuSample? cpuStart = null;
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
            while (n < backlog.Count && Stopwatch.GetTimestamp() < deadline)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { Message: { } message })
                {
                    continue;
                }

                if (n++ == 0)
                {
                    // From the first message on: the group join before it is not reading speed.
                    started = Stopwatch.GetTimestamp();
                    cpuStart = context.Probe.Sample(null);
                }

                total += message.Value.Length;
            }

            return (n, total, started, Stopwatch.GetTimestamp(), cpuStart, context.Probe.Sample(null));
        }, cancellationToken);
        consumer.Close();

        var seconds = (last - first) / (double)Stopwatch.Frequency;
        var cpu = cpuLast.Since(cpuFirst ?? cpuLast);
        return new PhaseResult(PhaseNames.KafkaRaw,
            $"Kafka ceiling: one consumer reading the {backlog.Count:N0}-message backlog from the in-process mock cluster ({KafkaBacklog.Partitions} partitions), no parsing, no database",
            "messages/s", Math.Round((read - 1) / seconds, 1), read, "—", LatencySummary.Empty, Errors(read, backlog.Count), cpu,
            new Dictionary<string, string>
            {
                ["messages"] = read.ToString(CultureInfo.InvariantCulture),
                ["mean message size"] = string.Create(CultureInfo.InvariantCulture, $"{bytes / Math.Max(1, read)} bytes"),
                ["measured"] = string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s, first message to last"),
                ["note"] = "the mock broker runs inside the benchmark process: its CPU counts as Notifly's column here",
            });
    }

    /// <summary>
    /// A Notifly worker (ingestion, dispatcher idle: the requests are scheduled a day ahead)
    /// started against the backlog; throughput is rows over the span between the first and the
    /// last committed batch, read from the rows' own commit-batch timestamps.
    /// </summary>
    public static async Task<PhaseResult> IntakeAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var backlog = await context.KafkaBacklogAsync(cancellationToken);
        await context.ForgetUndeliveredWorkAsync(cancellationToken);
        await context.CheckpointAsync(cancellationToken);
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = backlog.Cluster.BootstrapServers,
            ["Kafka:TopicPrefix"] = backlog.TopicPrefix,
        };
        // Progress comes from the worker's own counter of finished messages (recorded once a batch is
        // durable), not from counting rows: a count(*) every half second over a growing table cost
        // PostgreSQL about a quarter of what it spent in the window, charged to Kafka intake.
        using var finished = new FinishedMessages();
        var started = Stopwatch.GetTimestamp();
        await using var worker = await context.Host.StartNodeAsync(NotiflyRole.Worker, settings, cancellationToken);

        CpuSample? cpuFirst = null;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (60 + backlog.Count / 2_000);
        while (finished.Count < backlog.Count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(ProgressEvery, cancellationToken);
            if (finished.Count > 0 && cpuFirst is null)
            {
                cpuFirst = context.Probe.Sample(null);
            }
        }

        var cpuLast = context.Probe.Sample(null);
        var toDone = Stopwatch.GetElapsedTime(started);

        // The relay publishes each request's ACCEPTED/SCHEDULED event to notification.status
        // while ingestion runs; how far behind it was, and how long it took to catch up.
        var unpublished = await UnpublishedAsync(context, cancellationToken);
        var drain = Stopwatch.StartNew();
        while (await UnpublishedAsync(context, cancellationToken) > 0 && drain.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(PollEvery, cancellationToken);
        }

        drain.Stop();
        var withCatchUp = context.Probe.Sample(null).Since(cpuFirst ?? cpuLast);
        var (rows, batches, first, last) = await SpanAsync(context, backlog, cancellationToken);
        var seconds = (last - first).TotalSeconds;
        var firstBatch = await FirstBatchAsync(context, backlog, first, cancellationToken);

        // The first batch's rows were stored at `first`: the rate is what came after it, over the span.
        var perSecond = seconds > 0 ? (rows - firstBatch) / seconds : 0;
        return new PhaseResult(PhaseNames.KafkaIntake,
            $"Kafka intake: a Notifly worker consuming the same {backlog.Count:N0}-message backlog into PostgreSQL (durable: fsync and synchronous_commit on)",
            "requests/s", Math.Round(perSecond, 1), rows, "—", LatencySummary.Empty, Errors(rows, backlog.Count),
            cpuLast.Since(cpuFirst ?? cpuLast),
            new Dictionary<string, string>
            {
                ["stored"] = rows.ToString(CultureInfo.InvariantCulture),
                ["transactions"] = batches.ToString(CultureInfo.InvariantCulture),
                ["mean batch size"] = string.Create(CultureInfo.InvariantCulture, $"{rows / (double)Math.Max(1, batches):0.0}"),
                ["measured"] = string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s between the first and the last commit"),
                ["start to last row"] = string.Create(CultureInfo.InvariantCulture,
                    $"{toDone.TotalSeconds:0.00} s including process start, migrations check and the consumer group join"),
                ["status events not yet published at the last row"] = unpublished.ToString(CultureInfo.InvariantCulture),
                ["outbox relay caught up"] = string.Create(CultureInfo.InvariantCulture, $"{drain.Elapsed.TotalSeconds:0.0} s after the last row"),
                // The window above ends at the last row; what the relay still had to do after it is the same requests' cost.
                ["PostgreSQL CPU per request including the relay's catch-up"] = string.Create(CultureInfo.InvariantCulture,
                    $"{withCatchUp.MicrosecondsPer(withCatchUp.Postgres, rows)} µs"),
            });
    }

    private static IReadOnlyDictionary<string, long> Errors(long got, long expected) =>
        got == expected ? new Dictionary<string, long>() : new Dictionary<string, long> { ["missing"] = expected - got };

    private static async Task<long> UnpublishedAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await using var command = context.Host.DataSource.CreateCommand("SELECT count(*) FROM notification_outbox WHERE sent_at IS NULL");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Messages the ingestion finished (stored, duplicates, dead-lettered), from its metric: costs the database nothing.</summary>
    private sealed class FinishedMessages : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public FinishedMessages()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == NotiflyMetrics.MeterName && instrument.Name == NotiflyMetrics.KafkaIngestMessages.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private static async Task<(long Rows, long Batches, DateTime First, DateTime Last)> SpanAsync(
        PhaseContext context, KafkaBacklog backlog, CancellationToken cancellationToken)
    {
        await using var command = context.Host.DataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT created_at), min(created_at), max(created_at) FROM notifications WHERE tenant_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = backlog.Tenant.TenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) == 0
            ? (0, 0, default, default)
            : (reader.GetInt64(0), reader.GetInt64(1), reader.GetDateTime(2), reader.GetDateTime(3));
    }

    private static async Task<long> FirstBatchAsync(PhaseContext context, KafkaBacklog backlog, DateTime first, CancellationToken cancellationToken)
    {
        await using var command = context.Host.DataSource.CreateCommand(
            "SELECT count(*) FROM notifications WHERE tenant_id = $1 AND created_at = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = backlog.Tenant.TenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = first });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
