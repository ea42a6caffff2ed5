using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Notifly.Chaos;

/// <summary>
/// The webhook provider every notification of the run goes to. It takes a while to answer, so
/// that attempts are in flight when a silo dies, and can be switched to answer 503 (an outage).
/// A call answered 2xx is a delivery: it records each one by the <c>Idempotency-Key</c> Notifly
/// sends (<c>{notification id}.webhook</c>), with the run clock's time of each arrival.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock;
    private long _refused;
    private volatile bool _down;

    private Receiver(WebApplication app, Stopwatch clock)
    {
        _app = app;
        _clock = clock;
    }

    public string Url { get; private set; } = "";

    /// <summary>Arrival times (run clock) of every 2xx-answered call, per notification.</summary>
    public ConcurrentDictionary<Guid, ConcurrentQueue<TimeSpan>> Deliveries { get; } = new();

    /// <summary>Calls answered 503 while down.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>While true every call is answered 503 at once, as a provider in an outage.</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public static async Task<Receiver> StartAsync(Stopwatch clock, TimeSpan latency, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app, clock);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            if (receiver._down)
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(503);
            }

            await Task.Delay(latency);
            var key = request.Headers["Idempotency-Key"].ToString();
            if (key.Length >= 32 && Guid.TryParseExact(key[..32], "N", out var id))
            {
                receiver.Deliveries.GetOrAdd(id, _ => new ConcurrentQueue<TimeSpan>()).Enqueue(receiver._clock.Elapsed);
            }

            return Results.NoContent();
        });
        await app.StartAsync(cancellationToken);
        receiver.Url = app.Urls.First().TrimEnd('/') + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
