using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Metrics;

/// <summary>
/// <c>GET /api/admin/metrics</c>: a tenant's traffic over a window. Notification figures count
/// the notifications created in the window by the status they are in now; attempt and latency
/// figures count the provider attempts made in the window.
/// </summary>
/// <param name="From">The first bucket's start (inclusive).</param>
/// <param name="To">When the figures were read.</param>
/// <param name="ByStatus">Notifications created in the window by their current status, every status present.</param>
public sealed record DashboardMetrics(
    string Window,
    DateTimeOffset From,
    DateTimeOffset To,
    string BucketSize,
    MetricsTotals Totals,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyList<ChannelMetrics> ByChannel,
    IReadOnlyList<MetricsBucket> Buckets,
    FailureSummary FailureSummary);

/// <param name="Notifications">Created in the window.</param>
/// <param name="Sent">Of those, SENT or DELIVERED.</param>
/// <param name="Failed">Of those, FAILED or BOUNCED.</param>
/// <param name="InProgress">Of those, ACCEPTED, SCHEDULED, PROCESSING or RETRYING.</param>
/// <param name="SuccessRate">Sent ÷ (sent + failed); null until one has finished.</param>
/// <param name="Attempts">Provider attempts made in the window.</param>
/// <param name="FailedAttempts">Of those, the ones that failed or were abandoned (a retry may have succeeded later).</param>
/// <param name="AverageLatencyMs">Mean provider latency of the window's attempts.</param>
/// <param name="P95LatencyMs">Their 95th percentile, within 9 %.</param>
public sealed record MetricsTotals(
    long Notifications, long Sent, long Failed, long InProgress, double? SuccessRate, long Attempts, long FailedAttempts,
    double? AverageLatencyMs, double? P95LatencyMs);

/// <param name="SuccessRate">Sent ÷ attempts; null without attempts.</param>
public sealed record ChannelMetrics(
    Channel Channel, long Attempts, long Sent, long Failed, long Abandoned, double? SuccessRate, double? AverageLatencyMs, double? P95LatencyMs);

/// <summary>One bucket of the charts; the notification figures are those created in it, the attempt figures those made in it.</summary>
public sealed record MetricsBucket(
    DateTimeOffset Start, long Notifications, long Sent, long Failed, long Attempts, long FailedAttempts, double? AverageLatencyMs,
    double? P95LatencyMs);

/// <summary>Seed 000's failure summary: the last seven days' dead letters and failed attempts by channel and error code, most first.</summary>
public sealed record FailureSummary(DateTimeOffset From, IReadOnlyList<FailureSummaryEntry> Entries);

public sealed record FailureSummaryEntry(Channel Channel, string? ErrorCode, long DeadLetters, long FailedAttempts);
