using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Notifly.Silo.Hosting;

/// <summary>One call the sink received: when, the Standard Webhooks headers, and the body.</summary>
public sealed record SinkCall(Guid Id, DateTimeOffset ReceivedAt, string? WebhookId, string? WebhookTimestamp, string? WebhookSignature,
    string? ContentType, string Body, bool Truncated);

/// <summary>
/// <c>/dev/webhook-sink</c>: a receiver for trying webhooks without writing one, in single-node
/// mode only. It answers 204, logs what arrived, and keeps the newest calls in memory for
/// <c>GET /dev/webhook-sink</c> and the dashboard, like the mailbox keeps mail.
/// </summary>
public sealed partial class DevWebhookSink(TimeProvider time, ILogger<DevWebhookSink> logger)
{
    public const string Path = "/dev/webhook-sink";
    public const int Capacity = 200;
    public const int MaxBodyChars = 64 * 1024;

    private readonly LinkedList<SinkCall> _newestFirst = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<SinkCall> List()
    {
        lock (_lock)
        {
            return [.. _newestFirst];
        }
    }

    public async Task<SinkCall> ReceiveAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxBodyChars + 1];
        var read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        var receivedAt = time.GetUtcNow();
        string? Header(string name) => request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
        var call = new SinkCall(Guid.CreateVersion7(receivedAt), receivedAt, Header("webhook-id"), Header("webhook-timestamp"),
            Header("webhook-signature"), request.ContentType, new string(buffer, 0, Math.Min(read, MaxBodyChars)), read > MaxBodyChars);
        LogWebhookReceived(logger, call.WebhookId ?? "", call.Body);
        lock (_lock)
        {
            _newestFirst.AddFirst(call);
            if (_newestFirst.Count > Capacity)
            {
                _newestFirst.RemoveLast();
            }
        }

        return call;
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var sink = app.MapGroup(Path).ExcludeFromDescription();
        sink.MapPost("", async (HttpRequest request, DevWebhookSink sink) =>
        {
            await sink.ReceiveAsync(request);
            return Results.NoContent();
        });
        sink.MapGet("", (DevWebhookSink sink) => TypedResults.Ok(sink.List()));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook sink received {WebhookId}: {Body}")]
    private static partial void LogWebhookReceived(ILogger logger, string webhookId, string body);
}
