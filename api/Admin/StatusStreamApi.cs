using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Notifly.Api.Auth;
using Notifly.Grains.Queries;
using Notifly.Grains.Storage;

namespace Notifly.Api.Admin;

/// <summary>
/// <c>GET /api/admin/stream</c>: server-sent events of the caller's tenant, for the dashboard's
/// live list. <c>event: status</c> carries a notification's new status as it happens (within
/// about a second); <c>event: reload</c> says more changed than a stream carries, so the client
/// should read its list again. Each read runs in the caller's scope, so a revoked key, a
/// deactivated user or a suspended tenant ends the stream.
/// </summary>
public static class StatusStreamApi
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    // Changes are found by their time, overlapping each read, and remembered by id: a turn's
    // events commit a moment after they are stamped, so none is missed and none sent twice.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task Stream(HttpContext context, Database database, TimeProvider time)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // proxies must pass each event on at once
        await context.Response.WriteAsync(": notifly status stream\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);

        var sent = new Dictionary<long, DateTimeOffset>();
        var quietSince = time.GetUtcNow();
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            do
            {
                IReadOnlyList<StatusChange> changes;
                await using (var scope = await database.BeginCallerScopeAsync(context, cancellationToken))
                {
                    changes = await StatusFeed.RecentAsync(scope, Window, cancellationToken);
                }

                var now = time.GetUtcNow();
                if (changes.Count >= StatusFeed.MaxPerRead)
                {
                    await context.Response.WriteAsync("event: reload\ndata: {}\n\n", cancellationToken);
                    changes = [];
                }

                foreach (var change in changes.Where(c => sent.TryAdd(c.Id, c.At)))
                {
                    var data = JsonSerializer.Serialize(new { requestId = change.RequestId, status = change.Status, at = change.At });
                    await context.Response.WriteAsync($"id: {change.Id}\nevent: status\ndata: {data}\n\n", cancellationToken);
                    quietSince = now;
                }

                if (now - quietSince >= KeepAlive)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                    quietSince = now;
                }

                await context.Response.Body.FlushAsync(cancellationToken);
                foreach (var id in sent.Where(s => now - s.Value > Window * 2).Select(s => s.Key).ToList())
                {
                    sent.Remove(id);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception ex) when (ex is ApiKeyRevokedException or TenantSuspendedException or UserDeactivatedException)
        {
            await context.Response.WriteAsync("event: end\ndata: {}\n\n", CancellationToken.None);
        }
    }
}
