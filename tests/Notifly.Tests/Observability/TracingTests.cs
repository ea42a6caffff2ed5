// One trace per notification, across time and processes: the REST request (or the Kafka message)
// that created it, the attempt the dispatcher makes later, the provider's HTTP call (with the
// traceparent it carries to a webhook), Npgsql's statements and the status events published to
// Kafka, each carrying the context on to its consumers. Spans are read from OpenTelemetry's
// in-memory exporter on a node of this class's own, with tracing switched on.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka;
using Notifly.Grains.Storage;
using Notifly.Tests.Kafka.Ingestion;
using Notifly.Tests.Support;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;

namespace Notifly.Tests.Observability;

public sealed class TracedNodeFixture : KafkaNodeFixture
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<LogRecord> Logs { get; } = new();

    /// <summary>The spans of one trace, whichever node of the process recorded them.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => Spans.Where(s => s.TraceId == traceId).ToArray();

    protected override IDictionary<string, string?> NodeSettings() => new Dictionary<string, string?>
    {
        ["Notifly:Tracing:Enabled"] = "true",
        ["Logging:LogLevel:Notifly.Grains.Runtime"] = "Information",
    };

    protected override void NodeServices(IServiceCollection services)
    {
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(new SpanList(Spans)));
        services.AddLogging(logging => logging.AddOpenTelemetry(o =>
        {
            o.IncludeScopes = true;
            o.AddInMemoryExporter(new LogList(Logs));
        }));
    }

    // The exporter takes an ICollection; these keep what it adds in a thread-safe queue.
    private sealed class SpanList(ConcurrentQueue<Activity> queue) : QueueCollection<Activity>(queue);

    private sealed class LogList(ConcurrentQueue<LogRecord> queue) : QueueCollection<LogRecord>(queue);

    private abstract class QueueCollection<T>(ConcurrentQueue<T> queue) : ICollection<T>
    {
        public int Count => queue.Count;

        public bool IsReadOnly => false;

        public void Add(T item) => queue.Enqueue(item);

        public void Clear() => queue.Clear();

        public bool Contains(T item) => queue.Contains(item);

        public void CopyTo(T[] array, int arrayIndex) => queue.ToArray().CopyTo(array, arrayIndex);

        public bool Remove(T item) => throw new NotSupportedException();

        public IEnumerator<T> GetEnumerator() => queue.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

public class TracingTests(TracedNodeFixture fixture) : IClassFixture<TracedNodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task One_trace_runs_from_the_rest_request_through_the_provider_call_to_the_status_events()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var status = TopicRecorder.Start(fixture.BootstrapServers, fixture.Topics.Status, KafkaNodeFixture.Partitions);
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/notifications")
        {
            Content = JsonContent.Create(Calls.Webhook(fixture.Webhooks.UrlFor($"/traced/{tenant.Id}")), options: Json.Options),
        };
        request.Headers.Add("traceparent", TraceParent(caller));
        using var response = await Untraced(tenant).SendAsync(request);
        ((int)response.StatusCode).Should().Be(202, await response.Content.ReadAsStringAsync());
        var accepted = (await response.Content.ReadFromJsonAsync<NotificationAccepted>(Json.Options))!;
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        // The webhook arrived with the trace's context, and so did each status event on Kafka.
        var delivered = (await fixture.Webhooks.WaitForRequestsAsync(1, Wait, r => r.Path == $"/traced/{tenant.Id}")).Single();
        TraceIdOf(delivered.Header("traceparent")).Should().Be(caller.TraceId.ToHexString(), "the webhook call carries the trace on");
        var events = await status.WaitForAsync(
            m => m.Header(KafkaHeaders.RequestId) == accepted.RequestId.ToString(), m => m.Count >= 3, Wait, "three status events");
        events.Select(e => TraceIdOf(e.Header("traceparent"))).Should().AllBe(caller.TraceId.ToHexString());

        // And every step is a span of that one trace.
        var trace = await Eventually.MatchAsync(() => Task.FromResult(fixture.Trace(caller.TraceId)),
            spans => spans.Count(s => s.Kind == ActivityKind.Producer) >= 3, Wait, "the trace's spans to be exported");
        var intake = trace.Should().ContainSingle(s => s.Kind == ActivityKind.Server && Equals(s.GetTagItem("url.path"), "/api/notifications")).Subject;
        intake.ParentSpanId.Should().Be(caller.SpanId, "the REST request continues its caller's trace");
        var attempt = trace.Should().ContainSingle(s => s.OperationName == "deliver WEBHOOK").Subject;
        attempt.GetTagItem("notifly.notification_id").Should().Be(accepted.RequestId);
        var call = trace.Should().ContainSingle(s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http").Subject;
        call.ParentSpanId.Should().Be(attempt.SpanId, "the provider's call is the attempt's child");
        TraceParentSpanId(delivered.Header("traceparent")).Should().Be(call.SpanId.ToHexString());
        trace.Should().ContainSingle(s => s.Kind == ActivityKind.Server && s.ParentSpanId == call.SpanId,
            "the receiver (an ASP.NET Core app in this process) continued the call's span");
        trace.Where(s => s.Kind == ActivityKind.Producer).Select(s => s.OperationName).Should().AllBe($"{fixture.Topics.Status} publish");
        events.Select(e => TraceParentSpanId(e.Header("traceparent")))
            .Should().BeSubsetOf(trace.Where(s => s.Kind == ActivityKind.Producer).Select(s => s.SpanId.ToHexString()));
        trace.Should().Contain(s => s.Source.Name == "Npgsql", "the database's statements are in the trace");
    }

    [Fact]
    public async Task A_request_from_kafka_continues_its_producers_trace()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var producerSpan = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var message = IngestionProbe.Message(tenant.Id,
            IngestionProbe.Request(tenant.Id, $"k-{Guid.NewGuid():N}", fixture.Webhooks.UrlFor($"/kafka-traced/{tenant.Id}")));
        message.Headers = new Confluent.Kafka.Headers { { "traceparent", Encoding.UTF8.GetBytes(TraceParent(producerSpan)) } };
        using (var producer = IngestionProbe.Producer(fixture.BootstrapServers))
        {
            await producer.ProduceAsync(fixture.Topics.Requested, message);
        }

        var delivered = (await fixture.Webhooks.WaitForRequestsAsync(1, Wait, r => r.Path == $"/kafka-traced/{tenant.Id}")).Single();
        TraceIdOf(delivered.Header("traceparent")).Should().Be(producerSpan.TraceId.ToHexString());

        var trace = await Eventually.MatchAsync(() => Task.FromResult(fixture.Trace(producerSpan.TraceId)),
            spans => spans.Any(s => s.OperationName == "deliver WEBHOOK"), Wait, "the attempt's span to be exported");
        var consumed = trace.Should().ContainSingle(s => s.Kind == ActivityKind.Consumer).Subject;
        consumed.OperationName.Should().Be($"{fixture.Topics.Requested} process");
        consumed.ParentSpanId.Should().Be(producerSpan.SpanId, "the consumer's span is the producer's child");
        trace.Single(s => s.OperationName == "deliver WEBHOOK").ParentSpanId.Should().Be(consumed.SpanId);
    }

    [Fact]
    public async Task A_grain_call_joins_the_requests_trace()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup",
            channels = new[] { "WEBHOOK" },
            recipient = new { webhookUrl = fixture.Webhooks.Url },
            payload = new { name = "Ada" },
            sendAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/api/notifications/{accepted.RequestId}/cancel");
        cancel.Headers.Add("traceparent", TraceParent(caller));
        using var response = await Untraced(tenant).SendAsync(cancel);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());

        var trace = await Eventually.MatchAsync(() => Task.FromResult(fixture.Trace(caller.TraceId)),
            spans => spans.Any(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)), Wait, "the grain call's span");
        trace.Should().Contain(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
    }

    [Fact]
    public async Task An_attempts_log_lines_carry_its_trace_and_its_notification()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var path = $"/failing/{tenant.Id}";
        fixture.Webhooks.EnqueueResponse(410); // permanent: one attempt, logged as failed
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(fixture.Webhooks.UrlFor(path)));
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed, Wait);

        var attempt = await Eventually.MatchAsync(
            () => Task.FromResult(fixture.Spans.FirstOrDefault(s => s.OperationName == "deliver WEBHOOK"
                && Equals(s.GetTagItem("notifly.notification_id"), accepted.RequestId))),
            s => s is not null, Wait, "the attempt's span");
        var line = fixture.Logs.Should().Contain(l => l.SpanId == attempt!.SpanId && l.CategoryName == "Notifly.Grains.Runtime.ReminderService").Subject;
        line.TraceId.Should().Be(attempt!.TraceId);
        var scopes = new List<KeyValuePair<string, object?>>();
        line.ForEachScope((scope, list) =>
        {
            foreach (var value in scope)
            {
                list.Add(value);
            }
        }, scopes);
        scopes.Should().Contain(new KeyValuePair<string, object?>("notifly.notification_id", accepted.RequestId))
            .And.Contain(new KeyValuePair<string, object?>("notifly.tenant_id", tenant.Id));
    }

    /// <summary>
    /// A client of the tenant's that sends the traceparent the test wrote: the test's own client
    /// would start a span of its own (this process listens) and send that instead.
    /// </summary>
    private HttpClient Untraced(TestTenant tenant) =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = new Uri(fixture.Node.BaseAddress),
            DefaultRequestHeaders = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.AdminKey) },
        };

    private static string TraceParent(ActivityContext context) => $"00-{context.TraceId}-{context.SpanId}-01";

    private static string? TraceIdOf(string? traceParent) => traceParent?.Split('-')[1];

    private static string? TraceParentSpanId(string? traceParent) => traceParent?.Split('-')[2];
}
