using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Load;

/// <summary>
/// HTTP/1.1 load against one loopback URL, closed or open loop, bounded in requests and time.
/// Prints MEASURING and MEASURED lines as its window opens and closes, so the parent can read
/// CPU counters over the same window.
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    public const string MeasuringLine = "MEASURING";
    public const string MeasuredLine = "MEASURED";
    public const string ResultPrefix = "RESULT ";

    /// <summary>Bounds the closed loop's request count and its latency array (8 bytes a slot).</summary>
    private const int MaxClosedRate = 200_000;
    private const int MaxLatencySlots = 16_000_000;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly LoadSpec _spec;
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly long[] _statuses = new long[600];
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly LatencyRecorder _latency;
    private long _sequence;
    private long _totalOk;
    private long _okInWindow;
    private long _from;
    private long _to;

    public LoadGenerator(LoadSpec spec)
    {
        _spec = spec;
        _uri = new Uri(spec.Url);
        var slots = spec.Mode == LoadMode.Closed
            ? (long)MaxClosedRate * spec.DurationSeconds
            : (long)spec.Rate * spec.DurationSeconds;
        _latency = new LatencyRecorder((int)Math.Min(slots, MaxLatencySlots));
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = spec.Connections,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        _client = new HttpClient(handler)
        {
            Timeout = RequestTimeout,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (spec.ApiKey is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", spec.ApiKey);
        }
    }

    /// <summary>
    /// The child's main loop: one JSON <see cref="LoadSpec"/> per line on stdin, answered by
    /// MEASURING, MEASURED and RESULT lines on stdout, until stdin closes. One process serves every
    /// phase so that its code stays compiled and optimised from one phase to the next.
    /// </summary>
    public static async Task<int> ServeAsync()
    {
        const int maxRuns = 1000;
        for (var run = 0; run < maxRuns && await Console.In.ReadLineAsync() is { } line; run++)
        {
            var spec = System.Text.Json.JsonSerializer.Deserialize<LoadSpec>(line) ?? throw new UsageException("empty load spec");
            spec.Validate();
            using var generator = new LoadGenerator(spec);
            var result = spec.Mode == LoadMode.Closed ? await generator.RunClosedAsync() : await generator.RunOpenAsync();
            Console.WriteLine(ResultPrefix + System.Text.Json.JsonSerializer.Serialize(result));
        }

        return 0;
    }

    public void Dispose() => _client.Dispose();

    private async Task<LoadResult> RunClosedAsync()
    {
        var (from, to) = Window();
        var markers = MarkWindowAsync(from, to);
        var maxRequests = (long)MaxClosedRate * (_spec.WarmupSeconds + _spec.DurationSeconds);
        var issued = 0L;
        var workers = Enumerable.Range(0, _spec.Connections).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < to && Interlocked.Increment(ref issued) <= maxRequests)
            {
                var begin = Stopwatch.GetTimestamp();
                var outcome = await SendAsync();
                var end = Stopwatch.GetTimestamp();
                // Throughput and latency: the answers that arrive inside the window, whenever they were sent.
                CountIfInWindow(outcome, end);
                if (end >= from && end < to)
                {
                    Record(outcome, Stopwatch.GetElapsedTime(begin, end));
                }
            }
        }));
        await Task.WhenAll(workers);
        await markers;
        return Result(lag: null, scheduled: 0, unfinished: 0);
    }

    private async Task<LoadResult> RunOpenAsync()
    {
        var (from, to) = Window();
        var start = from - (long)_spec.WarmupSeconds * Stopwatch.Frequency;
        var markers = MarkWindowAsync(from, to);
        var interval = (double)Stopwatch.Frequency / _spec.Rate;
        var total = (long)_spec.Rate * (_spec.WarmupSeconds + _spec.DurationSeconds);
        var lag = new LatencyRecorder((int)Math.Max(1, (long)_spec.Rate * _spec.DurationSeconds));
        var inFlight = new Task[total];
        long scheduled = 0;
        for (long i = 0; i < total; i++)
        {
            var due = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            // Timers tick in whole milliseconds: shorter waits go out now and are timed from their send.
            if (wait >= TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var sent = Stopwatch.GetTimestamp();
            var measured = due >= from && due < to;
            if (measured)
            {
                scheduled++;
                lag.Record(sent > due ? Stopwatch.GetElapsedTime(due, sent) : TimeSpan.Zero);
            }

            inFlight[i] = SendScheduledAsync(Math.Min(due, sent), measured);
        }

        var unfinished = 0L;
        try
        {
            await Task.WhenAll(inFlight).WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            unfinished = inFlight.LongCount(t => !t.IsCompleted);
        }

        await markers;
        return Result(lag.Summarize(), scheduled, unfinished);
    }

    /// <summary>
    /// Open loop: timed from the scheduled start, not the send, so a generator or server that
    /// falls behind shows up in the latency instead of hiding it (coordinated omission).
    /// </summary>
    private async Task SendScheduledAsync(long since, bool measured)
    {
        var outcome = await SendAsync();
        var end = Stopwatch.GetTimestamp();
        // Latency for every request scheduled in the window, however late its answer; throughput
        // only for answers inside the window, so a backlog drained afterwards does not count as kept up.
        CountIfInWindow(outcome, end);
        if (measured)
        {
            Record(outcome, Stopwatch.GetElapsedTime(since, end));
        }
    }

    private void CountIfInWindow((int Status, string? Failure) outcome, long end)
    {
        if (outcome.Status is >= 200 and < 300 && end >= _from && end < _to)
        {
            Interlocked.Increment(ref _okInWindow);
        }
    }

    private (long From, long To) Window()
    {
        _from = Stopwatch.GetTimestamp() + (long)_spec.WarmupSeconds * Stopwatch.Frequency;
        _to = _from + (long)_spec.DurationSeconds * Stopwatch.Frequency;
        return (_from, _to);
    }

    private static async Task MarkWindowAsync(long from, long to)
    {
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(from, Stopwatch.GetTimestamp())));
        Console.WriteLine(MeasuringLine);
        await Task.Delay(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(to, Stopwatch.GetTimestamp())));
        Console.WriteLine(MeasuredLine);
    }

    /// <summary>Never throws: a failed request is an outcome to count (status 0 and the failure's name).</summary>
    private async Task<(int Status, string? Failure)> SendAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(_spec.SendsNotifications ? HttpMethod.Post : HttpMethod.Get, _uri);
            if (_spec.SendsNotifications)
            {
                request.Content = new ByteArrayContent(NotificationBody(Interlocked.Increment(ref _sequence)))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                };
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                Interlocked.Increment(ref _totalOk);
            }

            return (status, null);
        }
        catch (TaskCanceledException)
        {
            return (0, "timeout");
        }
        catch (HttpRequestException e)
        {
            return (0, e.HttpRequestError.ToString());
        }
    }

    /// <summary>Each request a distinct notification: the run id and a sequence number in the payload.</summary>
    private byte[] NotificationBody(long n) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $$$"""{"eventType":"bench.event","channels":["WEBHOOK"],"recipient":{"webhookUrl":"{{{_spec.WebhookUrl}}}"},"payload":{"run":"{{{_spec.RunId}}}","n":{{{n}}}}}"""));

    private void Record((int Status, string? Failure) outcome, TimeSpan latency)
    {
        _latency.Record(latency);
        if (outcome.Failure is not null)
        {
            _failures.AddOrUpdate(outcome.Failure, 1, (_, count) => count + 1);
        }
        else
        {
            Interlocked.Increment(ref _statuses[Math.Clamp(outcome.Status, 0, _statuses.Length - 1)]);
        }
    }

    private LoadResult Result(LatencySummary? lag, long scheduled, long unfinished)
    {
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var status = 0; status < _statuses.Length; status++)
        {
            if (status is < 200 or >= 300 && _statuses[status] > 0)
            {
                errors[$"HTTP {status}"] = _statuses[status];
            }
        }

        foreach (var (failure, count) in _failures)
        {
            errors[failure] = count;
        }

        var latency = _latency.Summarize();
        return new LoadResult(_spec.DurationSeconds, latency.Count + latency.Dropped, Interlocked.Read(ref _okInWindow), Interlocked.Read(ref _totalOk),
            errors, latency, lag, scheduled, unfinished);
    }
}
