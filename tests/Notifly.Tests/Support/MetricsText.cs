using System.Globalization;
using System.Text.RegularExpressions;

namespace Notifly.Tests.Support;

/// <summary>
/// Reads a Prometheus text scrape. A series is named as in PromQL, <c>name{label="x"}</c>: it
/// matches every line of that metric whose labels include the ones given (the exporter adds its
/// own, such as <c>otel_scope_name</c>), and their values are summed.
/// </summary>
public static partial class MetricsText
{
    /// <summary>A series' value; 0 when the series is not there yet.</summary>
    public static double Value(string metrics, string series) =>
        Samples(metrics, series).Sum(s => s.Value);

    /// <summary>Whether the scrape has at least one sample of the series.</summary>
    public static bool Has(string metrics, string series) => Samples(metrics, series).Any();

    /// <summary>The names of every metric with a sample in the scrape.</summary>
    public static IReadOnlySet<string> Names(string metrics) =>
        Parse(metrics).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<Sample> Samples(string metrics, string series)
    {
        var wanted = Parse(series + " 0").Single();
        return Parse(metrics).Where(s => s.Name == wanted.Name
            && wanted.Labels.All(l => s.Labels.TryGetValue(l.Key, out var value) && value == l.Value));
    }

    private static IEnumerable<Sample> Parse(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                throw new FormatException($"not a Prometheus sample line: {line}");
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["key"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            yield return new Sample(match.Groups["name"].Value, labels, value);
        }
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \S+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
