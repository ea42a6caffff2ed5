using System.Threading.Channels;
using Notifly.Grains.Observability;

namespace Notifly.Grains.Runtime;

/// <summary>
/// What the dispatchers (notifications, status webhooks) share around their database: results
/// written in batches that are kept until they land, and the sleep until the next due item.
/// </summary>
internal static class ResultBatches
{
    /// <summary>
    /// Reads <paramref name="results"/> until it completes, in batches of at most
    /// <paramref name="maxBatch"/>, and writes each until it lands: a result lost here would cost
    /// a duplicate call after its lease, and retrying costs nothing. Once
    /// <paramref name="abandon"/> is cancelled, a failed write gives up.
    /// </summary>
    public static async Task WriteAllAsync<T>(
        ChannelReader<T> results, int maxBatch, Func<List<T>, Task> write, Action<Exception, int> failed, TimeProvider retryClock,
        CancellationToken abandon)
    {
        var batch = new List<T>();
        while (await results.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < maxBatch && results.TryRead(out var result))
            {
                batch.Add(result);
            }

            while (true)
            {
                try
                {
                    await write(batch);
                    break;
                }
                catch (Exception ex)
                {
                    NotiflyMetrics.CountDatabaseError(ex);
                    failed(ex, batch.Count);
                    if (abandon.IsCancellationRequested)
                    {
                        return;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), retryClock, CancellationToken.None);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// How long a claim loop sleeps when nothing was claimable: until the next item is due, but no
    /// longer than <paramref name="poll"/>, and at least <paramref name="minimum"/> — overdue yet not
    /// claimable means another node or turn holds it a moment, and the loop must not spin.
    /// </summary>
    public static TimeSpan WaitUntil(DateTimeOffset due, DateTimeOffset now, TimeSpan minimum, TimeSpan poll)
    {
        var wait = due - now;
        return wait < minimum ? minimum : (wait < poll ? wait : poll);
    }
}
