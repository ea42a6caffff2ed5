using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// Where ingestion stands in its partitions: the offsets it stores once a batch is durable, and
/// its lag (high watermark − position) for the metrics. Used by the consume loop's thread only;
/// <see cref="Lag"/> is read by the metrics exporter from any thread.
/// </summary>
internal sealed partial class ConsumerPosition(ILogger logger)
{
    private static readonly TimeSpan LagRefresh = TimeSpan.FromSeconds(1);

    private long _lag;
    private long _lagRefreshedAt;

    public long Lag => Interlocked.Read(ref _lag);

    /// <summary>Next offset to read per partition: the highest offset in the batch plus one.</summary>
    public void StoreOffsets(IConsumer<byte[], byte[]> consumer, List<ConsumeResult<byte[], byte[]>> batch)
    {
        var next = new Dictionary<TopicPartition, long>();
        foreach (var result in batch)
        {
            if (!next.TryGetValue(result.TopicPartition, out var offset) || result.Offset.Value + 1 > offset)
            {
                next[result.TopicPartition] = result.Offset.Value + 1;
            }
        }

        foreach (var (partition, offset) in next)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition, offset));
            }
            catch (KafkaException ex)
            {
                // The partition moved to another consumer meanwhile: it re-reads from the last
                // commit, and the unique keys absorb what this batch already wrote.
                LogStoreSkipped(partition.ToString(), ex.Error.Reason);
            }
        }
    }

    /// <summary>Summed over the assigned partitions from librdkafka's cached values (no broker round trip), at most once a second unless forced.</summary>
    public void RefreshLag(IConsumer<byte[], byte[]> consumer, bool force)
    {
        var now = Stopwatch.GetTimestamp();
        if (!force && Stopwatch.GetElapsedTime(_lagRefreshedAt, now) < LagRefresh)
        {
            return;
        }

        _lagRefreshedAt = now;
        long lag = 0;
        try
        {
            foreach (var partition in consumer.Assignment)
            {
                var high = consumer.GetWatermarkOffsets(partition).High;
                var position = consumer.Position(partition);
                if (high != Offset.Unset && position != Offset.Unset)
                {
                    lag += Math.Max(0, high.Value - position.Value);
                }
            }
        }
        catch (KafkaException)
        {
            return; // keep the last value; the next refresh tries again
        }

        Interlocked.Exchange(ref _lag, lag);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Offset for {Partition} not stored: {Reason}")]
    private partial void LogStoreSkipped(string partition, string reason);
}
