using System.Globalization;
using System.Text;
using Notifly.Bench.Load;
using Notifly.Bench.Measurement;
using Notifly.Bench.Reporting;

namespace Notifly.Bench.Phases;

/// <summary>
/// <c>soak</c> (issue 15): REST intake at a fixed rate (<c>--rate</c>, meant as half the measured
/// maximum) for <c>--duration</c> seconds, in 30-second windows. Each window records its accepted
/// rate and p99, and this process's GC heap (mean, and live after a full collection at the
/// window's end) and RSS. The slopes over the windows after the first say whether anything grows:
/// a live heap that keeps rising under steady load is a leak. With <c>--role all</c> the silo
/// delivers every notification too. The curves are also drawn, as an SVG beside the report.
/// </summary>
public static class SoakPhase
{
    private const int WindowSeconds = 30;

    public static async Task<PhaseResult> RunAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        await context.CheckpointAsync(cancellationToken);
        var tenant = await context.Host.CreateTenantAsync("soak", cancellationToken);
        var windows = Math.Max(3, context.Options.DurationSeconds / WindowSeconds);
        var samples = new List<Sample>();
        ClientRun? last = null;
        long ok = 0;
        var errors = new Dictionary<string, long>();
        for (var w = 0; w < windows; w++)
        {
            using var memory = new MemorySampler();
            memory.Start();
            var spec = new LoadSpec(LoadMode.Open, context.Host.BaseAddress + "/api/notifications", tenant.Secret, context.Host.WebhookUrl,
                context.Options.Connections, context.Options.Rate, WarmupSeconds: 0, WindowSeconds, context.RunId);
            last = await context.Client.RunAsync(spec, context.Probe, cancellationToken);
            var used = memory.Stop();
            var r = last.Result;
            ok += r.Ok;
            foreach (var (kind, count) in r.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }

            samples.Add(new Sample((w + 1) * WindowSeconds / 60.0, r.Ok / r.Seconds, r.Latency.P99, Mb(used.HeapMean), Mb(used.LiveAfter), Mb(used.RssMax)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  soak {(w + 1) * WindowSeconds,4} s: {r.Ok / r.Seconds,7:0} accepted/s, p99 {r.Latency.P99,7:0.0} ms, heap {Mb(used.HeapMean),5:0} MB (live {Mb(used.LiveAfter),4:0}), RSS {Mb(used.RssMax),4:0} MB"));
        }

        // The first window holds the start-up (JIT, pools, caches filling): slopes from the second.
        var steady = samples.Skip(1).ToArray();
        var details = new Dictionary<string, string>
        {
            ["windows"] = string.Create(CultureInfo.InvariantCulture, $"{windows} × {WindowSeconds} s at {context.Options.Rate}/s"),
            ["live heap slope"] = Slope(steady, s => s.LiveMb, "MB/min"),
            ["GC heap (mean) slope"] = Slope(steady, s => s.HeapMb, "MB/min"),
            ["RSS slope"] = Slope(steady, s => s.RssMb, "MB/min"),
            ["p99 slope"] = Slope(steady, s => s.P99, "ms/min"),
            ["samples (minute: accepted/s, p99 ms, heap MB, live MB, RSS MB)"] = string.Join("; ", samples.Select(s =>
                string.Create(CultureInfo.InvariantCulture, $"{s.Minute:0.0}: {s.Rate:0}, {s.P99:0.0}, {s.HeapMb:0}, {s.LiveMb:0}, {s.RssMb:0}"))),
        };
        var chart = Path.Combine(context.Options.OutDirectory, $"soak-{context.RunId}.svg");
        Directory.CreateDirectory(context.Options.OutDirectory);
        await File.WriteAllTextAsync(chart, Chart(samples), cancellationToken);
        details["chart"] = chart;

        var duration = windows * WindowSeconds;
        return new PhaseResult(PhaseNames.Soak,
            $"Soak: REST intake at {context.Options.Rate}/s, open loop, {duration} s in {WindowSeconds}-s windows; latency of the last window",
            "accepted/s", Math.Round(ok / (double)duration, 1), ok, "request", last!.Result.Latency, errors, last.Cpu, details);
    }

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    /// <summary>Least-squares slope of <paramref name="value"/> over the samples' minutes.</summary>
    public static string Slope(IReadOnlyList<Sample> samples, Func<Sample, double> value, string unit)
    {
        var n = samples.Count;
        var meanX = samples.Average(s => s.Minute);
        var meanY = samples.Average(value);
        var covariance = samples.Sum(s => (s.Minute - meanX) * (value(s) - meanY));
        var variance = samples.Sum(s => (s.Minute - meanX) * (s.Minute - meanX));
        var slope = n < 2 || variance == 0 ? 0 : covariance / variance;
        return string.Create(CultureInfo.InvariantCulture, $"{slope:+0.00;-0.00;0.00} {unit} (mean {meanY:0.0})");
    }

    /// <summary>Live heap, RSS and p99 over time, one line each on its own scale, as a small SVG.</summary>
    private static string Chart(IReadOnlyList<Sample> samples)
    {
        const int width = 720, height = 300, left = 50, right = 20, top = 20, bottom = 40;
        var maxX = samples.Max(s => s.Minute);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"#444\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">minutes ({maxX:0.#} in all)</text>");
        (string Name, string Colour, Func<Sample, double> Value)[] series =
        [
            ("live heap MB", "#4338ca", s => s.LiveMb),
            ("RSS MB", "#0f766e", s => s.RssMb),
            ("p99 ms", "#b91c1c", s => s.P99),
        ];
        for (var i = 0; i < series.Length; i++)
        {
            var (name, colour, value) = series[i];
            var max = Math.Max(1e-9, samples.Max(value)) * 1.1;
            var points = string.Join(' ', samples.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{left + (s.Minute / maxX * (width - left - right)):0.0},{height - bottom - (value(s) / max * (height - top - bottom)):0.0}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + 10 + (i * 200)}\" y=\"{top}\" fill=\"{colour}\">{name} (top {max / 1.1:0})</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    public sealed record Sample(double Minute, double Rate, double P99, double HeapMb, double LiveMb, double RssMb);
}
