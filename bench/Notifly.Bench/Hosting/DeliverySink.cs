using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Notifly.Bench.Hosting;

/// <summary>
/// A webhook provider for the dispatch phases: answers 204 at once (or, on the slow lane, after
/// 100 ms), counts calls per
/// lane (<c>/hook/{lane}</c>) and records when each notification of the watched lane arrived
/// (Stopwatch ticks, the same clock as the phase's accept times: both run in this process).
/// </summary>
public sealed class DeliverySink : IAsyncDisposable
{
    public const string Watched = "watched";
    public const string Backlog = "backlog";

    /// <summary>A provider that takes <see cref="SlowLatency"/> to answer each call.</summary>
    public const string Slow = "slow";

    public static readonly TimeSpan SlowLatency = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, long> _counts = new();

    private DeliverySink(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Arrival per notification id (from <c>webhook-id: msg_{id:N}</c>); the first arrival wins.</summary>
    public ConcurrentDictionary<Guid, long> Arrivals { get; } = new();

    public string Url(string lane) => $"{BaseUrl}/hook/{lane}";

    public long Count(string lane) => _counts.TryGetValue(lane, out var n) ? n : 0;

    public static async Task<DeliverySink> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new DeliverySink(app);
        app.MapPost("/hook/{lane}", async (string lane, HttpRequest request) =>
        {
            var arrived = Stopwatch.GetTimestamp();
            if (lane == Slow)
            {
                await Task.Delay(SlowLatency);
            }

            sink._counts.AddOrUpdate(lane, 1, (_, n) => n + 1);
            if (lane == Watched && request.Headers["webhook-id"].ToString() is { Length: > 4 } id
                && Guid.TryParseExact(id[4..], "N", out var notification))
            {
                sink.Arrivals.TryAdd(notification, arrived);
            }

            return Results.NoContent();
        });
        await app.StartAsync(cancellationToken);
        sink.BaseUrl = app.Urls.First().TrimEnd('/');
        return sink;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
