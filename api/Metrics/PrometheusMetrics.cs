using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Notifly.Api.Metrics;

/// <summary>
/// Aggregates the Notifly meter's measurements in memory and renders them in the Prometheus text
/// format for <c>GET /metrics</c>. Our own small piece: the OpenTelemetry Prometheus exporter is
/// not in the package registry we build from. Counters and histograms only accumulate (as
/// Prometheus expects); observable gauges are read at scrape time.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    private static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] CountBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly Lock _scrape = new();

    public PrometheusMetrics(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public string Render()
    {
        var text = new StringBuilder();
        lock (_scrape)
        {
            _listener.RecordObservableInstruments();
            foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var instrument = group.Key;
                var name = Name(instrument);
                var kind = instrument switch
                {
                    Counter<long> or Counter<int> or Counter<double> => "counter",
                    Histogram<long> or Histogram<int> or Histogram<double> => "histogram",
                    _ => "gauge",
                };
                if (kind == "counter")
                {
                    name += "_total";
                }

                text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
                foreach (var (key, series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
                {
                    series.Write(text, name, key.Labels);
                }
            }
        }

        return text.ToString();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd((instrument, labels), key => key.Instrument switch
        {
            Histogram<long> or Histogram<int> or Histogram<double> =>
                new Series(key.Instrument.Unit == "s" ? SecondsBuckets : CountBuckets),
            _ => new Series(null),
        });
        series.Add(value, replace: instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>);
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            pairs.Add($"{tag.Key.Replace('.', '_')}=\"{value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static string Name(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return instrument.Unit == "s" ? name + "_seconds" : name;
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Series(double[]? buckets)
    {
        private readonly Lock _gate = new();
        private readonly long[]? _counts = buckets is null ? null : new long[buckets.Length];
        private double _value;
        private long _count;

        public void Add(double value, bool replace)
        {
            lock (_gate)
            {
                if (_counts is null)
                {
                    _value = replace ? value : _value + value;
                    return;
                }

                _value += value;
                _count++;
                var i = Array.FindIndex(buckets!, b => value <= b);
                if (i >= 0)
                {
                    _counts[i]++;
                }
            }
        }

        public void Write(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                if (_counts is null)
                {
                    Line(text, name, labels, _value);
                    return;
                }

                long cumulative = 0;
                for (var i = 0; i < buckets!.Length; i++)
                {
                    cumulative += _counts[i];
                    Line(text, name + "_bucket", Join(labels, $"le=\"{buckets[i].ToString(CultureInfo.InvariantCulture)}\""), cumulative);
                }

                Line(text, name + "_bucket", Join(labels, "le=\"+Inf\""), _count);
                Line(text, name + "_sum", labels, _value);
                Line(text, name + "_count", labels, _count);
            }
        }

        private static string Join(string a, string b) => a.Length == 0 ? b : a + "," + b;

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
