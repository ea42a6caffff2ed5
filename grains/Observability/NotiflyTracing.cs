using System.Diagnostics;

namespace Notifly.Grains.Observability;

/// <summary>
/// Notifly's own spans (OpenTelemetry reads them through <see cref="ActivitySource"/>). A
/// notification's work is spread over time and processes: the request that created it is stored
/// with it as a W3C <c>traceparent</c> (migration 0024), and every later span of that
/// notification (its attempts, the status events published for it) starts from there, so one
/// trace runs from the REST request or Kafka message to the provider's call and the status event.
/// </summary>
public static class NotiflyTracing
{
    public const string SourceName = "Notifly";

    /// <summary>The W3C header and Kafka header name.</summary>
    public const string TraceParentHeader = "traceparent";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span's W3C id (<c>00-trace-span-flags</c>), or null when there is none.</summary>
    public static string? CurrentTraceParent() => TraceParentOf(Activity.Current);

    public static string? TraceParentOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>The context a stored or received traceparent names; default (a new trace) when it names none.</summary>
    public static ActivityContext Parent(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
