using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Notifly.Grains.Observability;

/// <summary>
/// Notifly's instruments, on the standard System.Diagnostics.Metrics API; OpenTelemetry exports
/// them (<c>/metrics</c>, OTLP). Tags stay low-cardinality: channel and outcome, never tenant or
/// notification ids. Histograms carry their bucket boundaries as advice, which the SDK honours.
/// </summary>
public static class NotiflyMetrics
{
    public const string MeterName = "Notifly";

    private static readonly Meter Meter = new(MeterName);

    // Seconds: from a fast database commit to a provider's timeout.
    private static readonly InstrumentAdvice<double> Seconds =
        new() { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] };

    // Seconds from acceptance to the provider's acceptance: retries and outages stretch it to hours.
    private static readonly InstrumentAdvice<double> EndToEndSeconds =
        new() { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400] };

    private static readonly InstrumentAdvice<double> Counts =
        new() { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] };

    /// <summary>Intake answers by outcome: accepted, replayed, conflict, unauthorized.</summary>
    public static readonly Counter<long> IntakeRequests =
        Meter.CreateCounter<long>("notifly.intake.requests", description: "Notification requests answered by the intake, by outcome.");

    public static readonly Histogram<double> IntakeBatchSize =
        Meter.CreateHistogram<double>("notifly.intake.batch.size", description: "Requests committed per intake transaction.", advice: Counts);

    public static readonly Histogram<double> IntakeCommitDuration =
        Meter.CreateHistogram<double>("notifly.intake.commit.duration", unit: "s", description: "Time to write and commit one intake batch.", advice: Seconds);

    /// <summary>
    /// PostgreSQL errors met by requests and background loops, by SQLSTATE (<c>53100</c> disk
    /// full, <c>57P03</c> starting up, …; <c>connection</c> when no server answered). Each is
    /// retried or answered 503; the series is what tells an SRE which.
    /// </summary>
    public static readonly Counter<long> DatabaseErrors =
        Meter.CreateCounter<long>("notifly.database.errors", description: "PostgreSQL errors met, by SQLSTATE; the work is retried or refused.");

    /// <summary>Counts <paramref name="exception"/> in <see cref="DatabaseErrors"/> when it is PostgreSQL's (or the connection to it).</summary>
    public static void CountDatabaseError(Exception exception)
    {
        var sqlState = exception switch
        {
            Npgsql.PostgresException postgres => postgres.SqlState,
            Npgsql.NpgsqlException => "connection",
            _ => null,
        };
        if (sqlState is not null)
        {
            DatabaseErrors.Add(1, new KeyValuePair<string, object?>("sqlstate", sqlState));
        }
    }

    /// <summary>Provider attempts by channel and outcome: success, transient, permanent.</summary>
    public static readonly Counter<long> DeliveryAttempts =
        Meter.CreateCounter<long>("notifly.delivery.attempts", description: "Provider attempts, by channel and outcome.");

    public static readonly Histogram<double> DeliveryAttemptDuration =
        Meter.CreateHistogram<double>("notifly.delivery.attempt.duration", unit: "s", description: "Provider call duration, by channel.", advice: Seconds);

    /// <summary>
    /// From a request's acceptance (or its sendAt, when later) to a provider accepting it, by
    /// channel: what a tenant experiences, retries and outages included.
    /// </summary>
    public static readonly Histogram<double> DeliveryEndToEnd =
        Meter.CreateHistogram<double>("notifly.delivery.end_to_end", unit: "s",
            description: "Time from acceptance (or sendAt) to the provider's acceptance, by channel.", advice: EndToEndSeconds);

    public static readonly Counter<long> DeadLettered =
        Meter.CreateCounter<long>("notifly.delivery.dead_lettered", description: "Deliveries moved to the dead-letter queue, by channel.");

    /// <summary>Attempts handed from one provider to the next of the channel (docs/0015), by channel.</summary>
    public static readonly Counter<long> ProviderFailovers =
        Meter.CreateCounter<long>("notifly.provider.failovers", description: "Attempts passed on from a failing provider to the next, by channel.");

    /// <summary>Calls not made because the provider's circuit was open, by provider kind.</summary>
    public static readonly Counter<long> ProviderCircuitRejections =
        Meter.CreateCounter<long>("notifly.provider.circuit.rejections", description: "Calls skipped because the provider's circuit was open, by kind.");

    /// <summary>Circuit breaker transitions, by provider kind and new state (open, half_open, closed).</summary>
    public static readonly Counter<long> ProviderCircuitTransitions =
        Meter.CreateCounter<long>("notifly.provider.circuit.transitions", description: "Provider circuit breaker transitions, by kind and state.");

    // Each node's provider registry reports its circuits; the gauge counts the open ones per kind.
    private static readonly ConcurrentDictionary<object, Func<IEnumerable<(string Kind, bool Open)>>> CircuitSources = new();

    private static readonly ObservableGauge<int> ProviderCircuitsOpen = Meter.CreateObservableGauge(
        "notifly.provider.circuits_open",
        () => CircuitSources.Values.SelectMany(read => read()).GroupBy(c => c.Kind)
            .Select(g => new Measurement<int>(g.Count(c => c.Open), new KeyValuePair<string, object?>("kind", g.Key))),
        description: "Provider circuits open now on this process, by kind.");

    public static void TrackCircuits(object owner, Func<IEnumerable<(string Kind, bool Open)>> read) => CircuitSources[owner] = read;

    public static void UntrackCircuits(object owner) => CircuitSources.TryRemove(owner, out _);

    // A silo reports the cluster's active silos as its membership sees them.
    private static readonly ConcurrentDictionary<object, Func<int>> SiloSources = new();

    // No measurement at all in a process without a silo (an api node): not a misleading 0.
    private static readonly ObservableGauge<int> SilosActive = Meter.CreateObservableGauge(
        "notifly.cluster.silos_active",
        () => SiloSources.IsEmpty ? Array.Empty<Measurement<int>>() : [new Measurement<int>(SiloSources.Values.Max(read => read()))],
        description: "Active silos in the Orleans cluster, as this silo's membership sees them.");

    public static void TrackSilos(object owner, Func<int> read) => SiloSources[owner] = read;

    public static void UntrackSilos(object owner) => SiloSources.TryRemove(owner, out _);

    /// <summary>Partitions the retention job dropped, by table (docs/0035).</summary>
    public static readonly Counter<long> PartitionsDropped =
        Meter.CreateCounter<long>("notifly.retention.partitions_dropped", description: "Day partitions dropped by the retention job, by table.");

    /// <summary>Notifications deleted for tenants' own, shorter retention (row deletes, not partition drops).</summary>
    public static readonly Counter<long> TenantRetentionDeleted =
        Meter.CreateCounter<long>("notifly.retention.tenant_notifications_deleted", description: "Notifications deleted for a tenant's own, shorter retention.");

    // The retention job's view of the partitions as of its last run; nothing before its first.
    private static volatile PartitionView? _partitions;

    private sealed record PartitionView(double DaysAhead, int Overdue);

    /// <summary>
    /// Days of partitions ready ahead of now, the least over the partitioned tables: at zero, writes
    /// for the next day would find no partition and fail.
    /// </summary>
    private static readonly ObservableGauge<double> PartitionDaysAhead = Meter.CreateObservableGauge(
        "notifly.retention.days_ahead",
        () => _partitions is { } p ? [new Measurement<double>(p.DaysAhead)] : Array.Empty<Measurement<double>>(),
        description: "Days of partitions ready ahead of now, the least over the partitioned tables.");

    /// <summary>Days past their retention that the job kept because something in them is still pending.</summary>
    private static readonly ObservableGauge<int> PartitionsOverdue = Meter.CreateObservableGauge(
        "notifly.retention.overdue_days",
        () => _partitions is { } p ? [new Measurement<int>(p.Overdue)] : Array.Empty<Measurement<int>>(),
        description: "Days past their retention kept because some of their rows are still pending.");

    public static void RecordPartitions(double daysAhead, int overdue) => _partitions = new PartitionView(daysAhead, overdue);

    public static readonly Counter<long> LeasesExpired =
        Meter.CreateCounter<long>("notifly.delivery.leases_expired", description: "Attempts abandoned by a node and taken over after their lease.");

    /// <summary>Messages from notification.requested by outcome: accepted, duplicate, dead_lettered (with the error code as reason).</summary>
    public static readonly Counter<long> KafkaIngestMessages =
        Meter.CreateCounter<long>("notifly.kafka.ingest.messages", description: "Messages consumed from notification.requested, by outcome.");

    public static readonly Histogram<double> KafkaIngestBatchSize =
        Meter.CreateHistogram<double>("notifly.kafka.ingest.batch.size", description: "Messages per ingestion batch.", advice: Counts);

    public static readonly Histogram<double> KafkaIngestCommitDuration =
        Meter.CreateHistogram<double>("notifly.kafka.ingest.commit.duration", unit: "s", description: "Time to write one ingestion batch to PostgreSQL.", advice: Seconds);

    /// <summary>Failures by kind (database, dead_letter, consume); database and dead_letter failures are retried.</summary>
    public static readonly Counter<long> KafkaIngestErrors =
        Meter.CreateCounter<long>("notifly.kafka.ingest.errors", description: "Ingestion failures, by kind; the batch is retried.");

    // Consumers report their lag here; one gauge sums them, like the in-flight gauge below.
    private static readonly ConcurrentDictionary<object, Func<long>> LagSources = new();

    private static readonly ObservableGauge<long> KafkaIngestLag = Meter.CreateObservableGauge(
        "notifly.kafka.ingest.lag", () => LagSources.Values.Sum(read => read()),
        description: "Messages on notification.requested not yet consumed by this process (high watermark minus position, over assigned partitions).");

    public static void TrackKafkaLag(object owner, Func<long> read) => LagSources[owner] = read;

    public static void UntrackKafkaLag(object owner) => LagSources.TryRemove(owner, out _);

    // Dispatchers report their attempts in flight here; one gauge sums them (one per process in
    // production, several when tests host many nodes in one process).
    private static readonly ConcurrentDictionary<object, Func<int>> InFlightSources = new();

    private static readonly ObservableGauge<int> InFlight = Meter.CreateObservableGauge(
        "notifly.dispatch.in_flight", () => InFlightSources.Values.Sum(read => read()), description: "Provider attempts in flight in this process.");

    public static void TrackInFlight(object owner, Func<int> read) => InFlightSources[owner] = read;

    public static void UntrackInFlight(object owner) => InFlightSources.TryRemove(owner, out _);

    /// <summary>Outbox events acknowledged by Kafka, by logical topic.</summary>
    public static readonly Counter<long> OutboxPublished =
        Meter.CreateCounter<long>("notifly.outbox.published", description: "Outbox events published to Kafka, by topic.");

    /// <summary>Outbox events whose produce failed (they stay in the outbox and are retried), by logical topic.</summary>
    public static readonly Counter<long> OutboxPublishFailures =
        Meter.CreateCounter<long>("notifly.outbox.publish_failures", description: "Outbox events whose publish failed and will be retried, by topic.");

    // Each relay reports the age of the oldest unsent row its last claim saw; the gauge shows the
    // worst. It grows while Kafka is unreachable: the alert for "events are not leaving".
    private static readonly ConcurrentDictionary<object, Func<double>> OutboxPendingSources = new();

    private static readonly ObservableGauge<double> OutboxOldestPendingAge = Meter.CreateObservableGauge(
        "notifly.outbox.oldest_pending_age", () => OutboxPendingSources.Values.Select(read => read()).DefaultIfEmpty(0).Max(),
        unit: "s", description: "Age of the oldest unsent outbox event seen by this process's relay.");

    public static void TrackOutboxPending(object owner, Func<double> read) => OutboxPendingSources[owner] = read;

    public static void UntrackOutboxPending(object owner) => OutboxPendingSources.TryRemove(owner, out _);

    /// <summary>Status-webhook attempts by what they left the delivery: succeeded, retrying, failed.</summary>
    public static readonly Counter<long> StatusWebhookAttempts =
        Meter.CreateCounter<long>("notifly.status_webhooks.attempts", description: "Calls to tenants' status-webhook endpoints, by outcome.");

    public static readonly Counter<long> StatusWebhookEndpointsDisabled =
        Meter.CreateCounter<long>("notifly.status_webhooks.endpoints_disabled", description: "Status-webhook endpoints disabled after failing too long.");

    /// <summary>Requests over their tenant's rate limit, by source: rest (refused with 429), kafka (stored, scheduled for later).</summary>
    public static readonly Counter<long> RateLimited =
        Meter.CreateCounter<long>("notifly.rate_limited.requests", description: "Requests over their tenant's rate limit, by source.");
}
