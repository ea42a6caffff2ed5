using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Notifly.Tests.Support;

/// <summary>
/// A real HTTP server on a free loopback port that records every request and answers from a
/// script: queued responses first, in order, then the default (200 unless changed). Any path is
/// accepted; <see cref="Url"/> is just the conventional one.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<ReceivedRequest> requests = [];
    private readonly Queue<ScriptedResponse> script = new();
    private readonly List<Waiter> waiters = [];

    // Cancelled first on dispose, so hanging or delayed requests end and shutdown does not wait on them.
    private readonly CancellationTokenSource stopping = new();
    private ScriptedResponse defaultResponse = new();

    private WebhookReceiver(WebApplication app) => this.app = app;

    public string BaseAddress { get; private set; } = "";

    public string Url => UrlFor("/hook");

    /// <summary>A URL on this receiver; give each tenant or endpoint its own path to tell their calls apart.</summary>
    public string UrlFor(string path) => $"{BaseAddress}/{path.TrimStart('/')}";

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    public static async Task<WebhookReceiver> StartAsync(CancellationToken cancellationToken = default)
    {
        var app = LoopbackServer.Create();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        receiver.BaseAddress = await LoopbackServer.StartAsync(app, cancellationToken);
        return receiver;
    }

    public void EnqueueResponse(int status, TimeSpan? retryAfter = null, TimeSpan? delay = null) =>
        Enqueue(new ScriptedResponse(status, ToHeader(retryAfter), delay));

    public void Enqueue(ScriptedResponse response)
    {
        lock (gate)
        {
            script.Enqueue(response);
        }
    }

    public void SetDefault(int status, TimeSpan? retryAfter = null, TimeSpan? delay = null) =>
        SetDefault(new ScriptedResponse(status, ToHeader(retryAfter), delay));

    public void SetDefault(ScriptedResponse response)
    {
        lock (gate)
        {
            defaultResponse = response;
        }
    }

    /// <summary>Every request from now on waits until its caller gives up; for crash and timeout tests.</summary>
    public void HangAll() => SetDefault(ScriptedResponse.Hanging);

    /// <summary>
    /// The requests matching <paramref name="where"/> (all by default) once there are at least
    /// <paramref name="count"/>; <see cref="TimeoutException"/> after <paramref name="deadline"/>.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForRequestsAsync(
        int count,
        TimeSpan deadline,
        Func<ReceivedRequest, bool>? where = null,
        CancellationToken cancellationToken = default)
    {
        var waiter = new Waiter(count, where ?? (_ => true));
        lock (gate)
        {
            if (waiter.IsSatisfiedBy(requests))
            {
                return waiter.Matching(requests);
            }

            waiters.Add(waiter);
        }

        try
        {
            await waiter.Reached.Task.WaitAsync(deadline, cancellationToken);
        }
        catch (TimeoutException)
        {
            lock (gate)
            {
                waiters.Remove(waiter);
                throw new TimeoutException(
                    $"Expected {count} matching request(s) within {deadline}, got {waiter.Matching(requests).Count} of {requests.Count}.");
            }
        }

        lock (gate)
        {
            return waiter.Matching(requests);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var received = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "/",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray(),
            DateTimeOffset.UtcNow);

        var response = Record(received);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        try
        {
            if (response.Hang)
            {
                await Task.Delay(Timeout.Infinite, ended.Token);
            }

            if (response.Delay is { } delay)
            {
                await Task.Delay(delay, ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The caller gave up or we are stopping; there is nobody left to answer.
            context.Abort();
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (response.Body is { } text)
        {
            await context.Response.WriteAsync(text, ended.Token);
        }
    }

    private ScriptedResponse Record(ReceivedRequest received)
    {
        lock (gate)
        {
            requests.Add(received);
            foreach (var waiter in waiters.Where(w => w.IsSatisfiedBy(requests)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }

            return script.TryDequeue(out var next) ? next : defaultResponse;
        }
    }

    private static string? ToHeader(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture) : null;

    private sealed record Waiter(int Count, Func<ReceivedRequest, bool> Where)
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsSatisfiedBy(List<ReceivedRequest> requests) => requests.Count(Where) >= Count;

        public IReadOnlyList<ReceivedRequest> Matching(List<ReceivedRequest> requests) => [.. requests.Where(Where)];
    }
}
