using System.Globalization;

namespace Notifly.Tests.Support;

/// <summary>Reads samples out of a node's Prometheus text (<c>/metrics</c>).</summary>
public static class MetricsText
{
    /// <summary>A series' value, e.g. <c>name_total{label="x"}</c>; 0 when the series is not there yet.</summary>
    public static double Value(string metrics, string series) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(series.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture)
            : 0;
}
