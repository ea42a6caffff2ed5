using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Notifly.Grains.Observability;

/// <summary>
/// Notifly's instruments, on the standard System.Diagnostics.Metrics API so any exporter (our
/// Prometheus endpoint, OpenTelemetry) can read them. Tags stay low-cardinality: channel and
/// outcome, never tenant or notification ids.
/// </summary>
public static class NotiflyMetrics
{
    public const string MeterName = "Notifly";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Intake answers by outcome: accepted, replayed, conflict, unauthorized.</summary>
    public static readonly Counter<long> IntakeRequests =
        Meter.CreateCounter<long>("notifly.intake.requests", description: "Notification requests answered by the intake, by outcome.");

    public static readonly Histogram<double> IntakeBatchSize =
        Meter.CreateHistogram<double>("notifly.intake.batch.size", description: "Requests committed per intake transaction.");

    public static readonly Histogram<double> IntakeCommitDuration =
        Meter.CreateHistogram<double>("notifly.intake.commit.duration", unit: "s", description: "Time to write and commit one intake batch.");

    /// <summary>Provider attempts by channel and outcome: success, transient, permanent.</summary>
    public static readonly Counter<long> DeliveryAttempts =
        Meter.CreateCounter<long>("notifly.delivery.attempts", description: "Provider attempts, by channel and outcome.");

    public static readonly Histogram<double> DeliveryAttemptDuration =
        Meter.CreateHistogram<double>("notifly.delivery.attempt.duration", unit: "s", description: "Provider call duration, by channel.");

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

    public static readonly Counter<long> LeasesExpired =
        Meter.CreateCounter<long>("notifly.delivery.leases_expired", description: "Attempts abandoned by a node and taken over after their lease.");

    /// <summary>Messages from notification.requested by outcome: accepted, duplicate, dead_lettered (with the error code as reason).</summary>
    public static readonly Counter<long> KafkaIngestMessages =
        Meter.CreateCounter<long>("notifly.kafka.ingest.messages", description: "Messages consumed from notification.requested, by outcome.");

    public static readonly Histogram<double> KafkaIngestBatchSize =
        Meter.CreateHistogram<double>("notifly.kafka.ingest.batch.size", description: "Messages per ingestion batch.");

    public static readonly Histogram<double> KafkaIngestCommitDuration =
        Meter.CreateHistogram<double>("notifly.kafka.ingest.commit.duration", unit: "s", description: "Time to write one ingestion batch to PostgreSQL.");

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
