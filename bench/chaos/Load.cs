using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Notifly.Grains.Kafka;

namespace Notifly.Chaos;

/// <summary>A request the load made: when (run clock), how, and what came of it.</summary>
public sealed record Request(TimeSpan At, string Via, Guid? Accepted, string? Key, string? Refusal)
{
    /// <summary>The wall clock when the request was made, to set against the database's timestamps.</summary>
    public DateTimeOffset Wall { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// Steady open-loop load for one tenant: REST requests spread round-robin over the api nodes alive
/// (as a Kubernetes Service routes only to running pods), and Kafka requests produced to
/// <c>notification.requested</c>. Every notification is a webhook to the run's receiver. A REST
/// request is accepted when answered 202; a Kafka request when the broker acknowledged it.
/// </summary>
public sealed class Load(ChaosCluster cluster, string tenantId, string apiKey, ChaosOptions options, Stopwatch clock)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly List<Task> _pending = [];
    private long _restCount;
    private long _kafkaCount;

    public IReadOnlyCollection<Request> Requests => _requests;

    public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = RequestTimeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.Kafka.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 600_000, // a broker outage is waited out, not turned into refusals
            // A request in flight when the broker went away is given up after 10 s and sent again,
            // not after librdkafka's 60 s: the run measures Notifly's recovery, not our producer's.
            SocketTimeoutMs = 10_000,
        }).Build();

        var rest = Tick(options.RestPerSecond, duration, () => _pending.Add(SendRestAsync(http)), cancellationToken);
        var kafka = Tick(options.KafkaPerSecond, duration, () => Produce(producer), cancellationToken);
        await Task.WhenAll(rest, kafka);
        await Task.WhenAll(_pending.ToArray());
        producer.Flush(TimeSpan.FromMinutes(10));
    }

    private async Task Tick(int perSecond, TimeSpan duration, Action send, CancellationToken cancellationToken)
    {
        var started = clock.Elapsed;
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        for (long n = 0; ; n++)
        {
            var due = started + n * interval;
            if (due - started >= duration)
            {
                return;
            }

            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            lock (_pending)
            {
                send();
            }
        }
    }

    private async Task SendRestAsync(HttpClient http)
    {
        var at = clock.Elapsed;
        var wall = DateTimeOffset.UtcNow;
        var alive = cluster.ApiNodes.Where(a => a.Alive).ToArray();
        var n = Interlocked.Increment(ref _restCount);
        if (alive.Length == 0)
        {
            _requests.Enqueue(new Request(at, "REST", null, null, "no api node running"));
            return;
        }

        var node = alive[n % alive.Length];
        try
        {
            using var response = await http.PostAsJsonAsync($"{node.BaseAddress}/api/notifications", new
            {
                eventType = "chaos.event",
                channels = new[] { "WEBHOOK" },
                recipient = new { webhookUrl = cluster.ReceiverUrl },
                payload = new { n },
            });
            if ((int)response.StatusCode == 202)
            {
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                _requests.Enqueue(new Request(at, "REST", body.RootElement.GetProperty("requestId").GetGuid(), null, null) { Wall = wall });
            }
            else
            {
                _requests.Enqueue(new Request(at, "REST", null, null, $"{(int)response.StatusCode} from {node.Name}"));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _requests.Enqueue(new Request(at, "REST", null, null, $"{e.GetType().Name} from {node.Name}"));
        }
    }

    private void Produce(IProducer<byte[], byte[]> producer)
    {
        var at = clock.Elapsed;
        var key = string.Create(CultureInfo.InvariantCulture, $"chaos-{Interlocked.Increment(ref _kafkaCount)}");
        var value = JsonSerializer.SerializeToUtf8Bytes(new
        {
            notificationId = key,
            organizationId = tenantId,
            eventType = "chaos.event",
            channel = "WEBHOOK",
            recipient = cluster.ReceiverUrl,
            payload = new { key },
            createdAt = DateTimeOffset.UtcNow,
        });
        var tenant = Encoding.UTF8.GetBytes(tenantId);
        var wall = DateTimeOffset.UtcNow;
        producer.Produce(cluster.Topics.Requested,
            new Message<byte[], byte[]> { Key = tenant, Value = value, Headers = new Headers { { KafkaHeaders.TenantId, tenant } } },
            report => _requests.Enqueue(new Request(at, "Kafka", null, key, report.Error.IsError ? report.Error.Reason : null) { Wall = wall }));
    }
}
