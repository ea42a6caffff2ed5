using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;
using Npgsql;

namespace Notifly.Grains.Metrics;

/// <summary>
/// Reads <see cref="DashboardMetrics"/> in the caller's tenant scope: the hourly rollups below the
/// job's watermark plus the raw facts from it on (migration 0022, docs/0027). The watermark is read
/// before and after the figures, in the same round trip; had the job folded meanwhile, a fact
/// could count twice, so the read starts again.
/// </summary>
public static class DashboardMetricsQuery
{
    public static readonly TimeSpan FailureSummaryPeriod = TimeSpan.FromDays(7);

    private static readonly string[] SentStatuses = ["SENT", "DELIVERED"];
    private static readonly string[] FailedStatuses = ["FAILED", "BOUNCED"];
    private static readonly string[] OpenStatuses = ["ACCEPTED", "SCHEDULED", "PROCESSING", "RETRYING"];

    // -infinity (nothing folded yet) as the smallest value .NET has
    private const string WatermarkSql = "SELECT greatest(rolled_until, '0001-01-01Z') FROM metrics_rollup_progress";

    // $1 the window's start, $2 the bucket size, $3 where the raw facts start: the later of the
    // watermark and $1, a value rather than a column so that the planner sees how few rows it reads
    private const string AttemptsSql =
        """
        SELECT date_bin($2, f.hour, 'epoch'), f.channel, f.status, f.latency_bucket, sum(f.attempts)::bigint, sum(f.latency_sum_ms)::bigint
          FROM (SELECT hour, channel, status, latency_bucket, attempts, latency_sum_ms FROM attempt_metrics_hourly WHERE hour >= $1
                UNION ALL
                SELECT hour, channel, status, latency_bucket, attempts, latency_sum_ms FROM notifly_attempt_facts($3, 'infinity')) f
         GROUP BY 1, 2, 3, 4
        """;

    // notifications created in the window by bucket and current status; events from the window's
    // start on are the only ones that can concern them
    private const string StatusesSql =
        """
        SELECT date_bin($2, f.hour, 'epoch'), f.status, sum(f.notifications)::bigint
          FROM (SELECT hour, status, notifications FROM notification_status_hourly WHERE hour >= $1
                UNION ALL
                SELECT hour, status, notifications FROM notifly_status_facts($3, 'infinity') WHERE hour >= $1) f
         GROUP BY 1, 2
        """;

    // $1 the summary's start, $2 the later of it and the watermark: dead letters and failed
    // attempts by channel and error code
    private const string FailuresSql =
        """
        SELECT channel, error_code, sum(dead_letters)::bigint, sum(failed_attempts)::bigint
          FROM (SELECT channel, error_code, dead_letters, 0 AS failed_attempts FROM dead_letter_hourly WHERE hour >= $1
                UNION ALL
                SELECT channel, error_code, dead_letters, 0 FROM notifly_dead_letter_facts($2, 'infinity')
                UNION ALL
                SELECT channel, error_code, 0, attempts FROM attempt_metrics_hourly WHERE hour >= $1 AND status <> 'SENT'
                UNION ALL
                SELECT channel, error_code, 0, attempts FROM notifly_attempt_facts($2, 'infinity') WHERE status <> 'SENT') f
         GROUP BY 1, 2
         ORDER BY 3 DESC, 4 DESC, 1, 2
        """;

    public static async Task<DashboardMetrics> ReadAsync(
        TenantScope scope, MetricsWindow window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var watermark = await WatermarkAsync(scope, cancellationToken);
        while (true)
        {
            var (metrics, watermarkAfter) = await ReadAtAsync(scope, window, now, watermark, cancellationToken);
            if (watermarkAfter == watermark)
            {
                return metrics;
            }

            watermark = watermarkAfter; // the job folded in between (it does every 15 s): again
        }
    }

    private static async Task<DateTimeOffset> WatermarkAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(WatermarkSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetFieldValue<DateTimeOffset>(0);
    }

    private static async Task<(DashboardMetrics Metrics, DateTimeOffset WatermarkAfter)> ReadAtAsync(
        TenantScope scope, MetricsWindow window, DateTimeOffset now, DateTimeOffset watermark, CancellationToken cancellationToken)
    {
        var from = window.FirstBucketStart(now);
        var failuresFrom = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero) - FailureSummaryPeriod;
        var buckets = Enumerable.Range(0, window.Buckets).Select(n => new BucketFigures(from + (window.BucketSize * n))).ToArray();
        var byChannel = new SortedDictionary<Channel, ChannelFigures>();
        var byStatus = Enum.GetValues<NotificationStatus>().ToDictionary(s => s.Name(), _ => 0L);
        var failures = new List<FailureSummaryEntry>();

        await using var batch = new NpgsqlBatch(scope.Connection, scope.Transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(AttemptsSql).With(from).With(window.BucketSize).With(Later(watermark, from)),
                new NpgsqlBatchCommand(StatusesSql).With(from).With(window.BucketSize).With(Later(watermark, from)),
                new NpgsqlBatchCommand(FailuresSql).With(failuresFrom).With(Later(watermark, failuresFrom)),
                new NpgsqlBatchCommand(WatermarkSql),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var bucket = Find(buckets, reader.GetFieldValue<DateTimeOffset>(0));
            var channel = Wire.ParseChannel(reader.GetString(1));
            var status = reader.GetString(2);
            var (latencyBucket, attempts, sumMs) = (reader.GetInt16(3), reader.GetInt64(4), reader.GetInt64(5));
            var figures = byChannel.TryGetValue(channel, out var known) ? known : byChannel[channel] = new ChannelFigures();
            figures.Count(status, attempts);
            figures.Latency.Add(latencyBucket, attempts, sumMs);
            bucket?.CountAttempts(status, attempts, latencyBucket, sumMs);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var bucket = Find(buckets, reader.GetFieldValue<DateTimeOffset>(0));
            var (status, notifications) = (reader.GetString(1), reader.GetInt64(2));
            byStatus[status] = byStatus.GetValueOrDefault(status) + notifications;
            bucket?.CountNotifications(status, notifications);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var code = reader.GetString(1);
            failures.Add(new FailureSummaryEntry(Wire.ParseChannel(reader.GetString(0)), code.Length == 0 ? null : code,
                reader.GetInt64(2), reader.GetInt64(3)));
        }

        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var watermarkAfter = reader.GetFieldValue<DateTimeOffset>(0);

        var latency = new LatencyHistogram();
        foreach (var figures in byChannel.Values)
        {
            latency.Add(figures.Latency);
        }

        var sent = Sum(byStatus, SentStatuses);
        var failed = Sum(byStatus, FailedStatuses);
        var totals = new MetricsTotals(
            byStatus.Values.Sum(), sent, failed, Sum(byStatus, OpenStatuses), Rate(sent, sent + failed),
            byChannel.Values.Sum(c => c.Attempts), byChannel.Values.Sum(c => c.Failed + c.Abandoned), latency.AverageMs, latency.QuantileMs(0.95));
        return (new DashboardMetrics(
            window.Name, from, now, window.BucketSize == TimeSpan.FromHours(1) ? "1h" : "1d", totals, byStatus,
            byChannel.Select(kv => kv.Value.ToMetrics(kv.Key)).ToArray(),
            buckets.Select(b => b.ToBucket()).ToArray(),
            new FailureSummary(failuresFrom, failures)), watermarkAfter);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static BucketFigures? Find(BucketFigures[] buckets, DateTimeOffset start) =>
        Array.Find(buckets, b => b.Start == start); // at most 48 buckets

    private static long Sum(Dictionary<string, long> byStatus, string[] statuses) => statuses.Sum(s => byStatus.GetValueOrDefault(s));

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private sealed class ChannelFigures
    {
        public long Attempts { get; private set; }

        public long Sent { get; private set; }

        public long Failed { get; private set; }

        public long Abandoned { get; private set; }

        public LatencyHistogram Latency { get; } = new();

        public void Count(string status, long attempts)
        {
            Attempts += attempts;
            switch (status)
            {
                case "SENT": Sent += attempts; break;
                case "FAILED": Failed += attempts; break;
                case "ABANDONED": Abandoned += attempts; break;
            }
        }

        public ChannelMetrics ToMetrics(Channel channel) =>
            new(channel, Attempts, Sent, Failed, Abandoned, Rate(Sent, Attempts), Latency.AverageMs, Latency.QuantileMs(0.95));
    }

    private sealed class BucketFigures(DateTimeOffset start)
    {
        private readonly LatencyHistogram _latency = new();
        private long _notifications;
        private long _sent;
        private long _failed;
        private long _attempts;
        private long _failedAttempts;

        public DateTimeOffset Start { get; } = start;

        public void CountAttempts(string status, long attempts, int latencyBucket, long sumMs)
        {
            _attempts += attempts;
            _failedAttempts += status == "SENT" ? 0 : attempts;
            _latency.Add(latencyBucket, attempts, sumMs);
        }

        public void CountNotifications(string status, long notifications)
        {
            _notifications += notifications;
            _sent += SentStatuses.Contains(status) ? notifications : 0;
            _failed += FailedStatuses.Contains(status) ? notifications : 0;
        }

        public MetricsBucket ToBucket() =>
            new(Start, _notifications, _sent, _failed, _attempts, _failedAttempts, _latency.AverageMs, _latency.QuantileMs(0.95));
    }
}
