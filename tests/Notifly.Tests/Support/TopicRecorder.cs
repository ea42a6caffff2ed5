using Confluent.Kafka;

namespace Notifly.Tests.Support;

/// <summary>
/// Reads one topic from the beginning, every partition assigned directly (no consumer group, so
/// no rebalance to wait for), and records each message for a test to wait on. Keeps reading
/// through broker outages: the client reconnects by itself.
/// </summary>
public sealed class TopicRecorder : IDisposable
{
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<ConsumedMessage> _messages = [];
    private readonly Thread _reader;

    private TopicRecorder(IConsumer<string, byte[]> consumer)
    {
        _consumer = consumer;
        _reader = new Thread(Read) { IsBackground = true, Name = "topic-recorder" };
        _reader.Start();
    }

    public static TopicRecorder Start(string bootstrapServers, string topic, int partitions)
    {
        var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"recorder-{Guid.NewGuid():N}", // required by the client; never joined, offsets never committed
            EnableAutoCommit = false,
        })
            // Outages are expected in some tests and the client retries: keep its complaints out of the output.
            .SetErrorHandler((_, _) => { })
            .SetLogHandler((_, _) => { })
            .Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return new TopicRecorder(consumer);
    }

    public IReadOnlyList<ConsumedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The matching messages once <paramref name="done"/> holds for them; <see cref="TimeoutException"/> after the deadline.</summary>
    public Task<IReadOnlyList<ConsumedMessage>> WaitForAsync(
        Func<ConsumedMessage, bool> where, Func<IReadOnlyList<ConsumedMessage>, bool> done, TimeSpan deadline, string because) =>
        Eventually.MatchAsync<IReadOnlyList<ConsumedMessage>>(
            () => Task.FromResult<IReadOnlyList<ConsumedMessage>>([.. Messages.Where(where)]), done, deadline, because);

    public void Dispose()
    {
        _stop.Cancel();
        _reader.Join(TimeSpan.FromSeconds(5));
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private void Read()
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<string, byte[]>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException)
            {
                continue;
            }

            if (result?.Message is not { } message)
            {
                continue;
            }

            var consumed = new ConsumedMessage(
                result.Topic, result.Partition.Value, result.Offset.Value, message.Key,
                [.. (message.Headers ?? []).Select(h => (h.Key, System.Text.Encoding.UTF8.GetString(h.GetValueBytes())))],
                message.Value);
            lock (_gate)
            {
                _messages.Add(consumed);
            }
        }
    }
}
