using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Webhook;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Webhook;

// Covers WebhookSender against a real Kestrel receiver: the signed request it sends, and how it
// classifies answers, slow and refused endpoints, bad recipients and the caller's cancellation.
// Not covered: retries and backoff (the NotificationGrain decides those) and HTTPS endpoints.
public sealed class WebhookSenderTests : IAsyncLifetime
{
    // One client for the class, as in the silo: the sender must not depend on a fresh one per call.
    private static readonly HttpClient Client = WebhookSender.CreateHttpClient(new EgressGuard([System.Net.IPNetwork.Parse("127.0.0.0/8")]));
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider clock = new(Start);
    private readonly string secret = StandardWebhookSigner.GenerateSecret();
    private WebhookReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    [Fact]
    public async Task Signs_request_so_that_receiver_verifies_it()
    {
        await Sender().SendAsync(Work(), CancellationToken.None);

        var request = (await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(5)))[0];
        var id = request.Header("webhook-id")!;
        var timestamp = request.Header("webhook-timestamp")!;
        var signature = request.Header("webhook-signature")!;
        StandardWebhookSigner.Verify(secret, id, timestamp, request.BodyBytes, signature, TimeSpan.FromMinutes(5), clock.GetUtcNow())
            .Should().BeTrue();

        // Recomputed without our signer, so a symmetric mistake in Sign and Verify cannot hide.
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(request.BodyBytes).ToArray();
        signature.Should().Be("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)));
    }

    [Fact]
    public async Task Sends_standard_webhook_headers_and_envelope()
    {
        var work = Work();

        await Sender().SendAsync(work, CancellationToken.None);

        var request = (await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(5)))[0];
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/hook");
        request.Header("Content-Type").Should().Be("application/json");
        request.Header("User-Agent").Should().Be("Notifly-Webhooks/1.0");
        request.Header("Idempotency-Key").Should().Be(work.IdempotencyKey);
        request.Header("webhook-id").Should().Be($"msg_{work.NotificationId:N}");
        request.Header("webhook-timestamp").Should().Be(Start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

        using var body = JsonDocument.Parse(request.BodyBytes);
        var root = body.RootElement;
        root.GetProperty("type").GetString().Should().Be("order.shipped");
        root.GetProperty("timestamp").GetDateTimeOffset().Should().Be(Start);
        var data = root.GetProperty("data");
        data.GetProperty("notificationId").GetGuid().Should().Be(work.NotificationId);
        data.GetProperty("correlationId").GetGuid().Should().Be(work.CorrelationId);
        data.GetProperty("eventType").GetString().Should().Be("order.shipped");
        data.GetProperty("userId").GetString().Should().Be("user-7");
        data.GetProperty("attempt").GetInt32().Should().Be(1);
        data.GetProperty("payload").ValueKind.Should().Be(JsonValueKind.Object, "the payload is embedded as JSON, not as a string");
        data.GetProperty("payload").GetProperty("order").GetProperty("id").GetInt32().Should().Be(42);
    }

    [Fact]
    public async Task Keeps_webhook_id_across_attempts_but_signs_each_at_its_own_time()
    {
        var first = Work();
        var sender = Sender();

        await sender.SendAsync(first, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));
        await sender.SendAsync(first with { Attempt = 2 }, CancellationToken.None);

        var requests = await receiver.WaitForRequestsAsync(2, TimeSpan.FromSeconds(5));
        requests.Select(r => r.Header("webhook-id")).Distinct().Should().ContainSingle();
        requests.Select(r => r.Header("Idempotency-Key")).Distinct().Should().ContainSingle();
        requests.Select(r => r.Header("webhook-timestamp")).Should().OnlyHaveUniqueItems();
        requests.Should().AllSatisfy(r => StandardWebhookSigner
            .Verify(secret, r.Header("webhook-id")!, r.Header("webhook-timestamp")!, r.BodyBytes, r.Header("webhook-signature")!, TimeSpan.FromMinutes(5), clock.GetUtcNow())
            .Should().BeTrue());
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    public async Task Reports_success_for_2xx(int status)
    {
        receiver.EnqueueResponse(status);

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Success);
        outcome.ProviderStatus.Should().Be(status);
    }

    [Fact]
    public async Task Treats_503_as_transient_and_honours_retry_after_seconds()
    {
        receiver.EnqueueResponse(503, retryAfter: TimeSpan.FromSeconds(7));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "HTTP_503", RetryAfter = TimeSpan.FromSeconds(7), ProviderStatus = 503 });
    }

    [Fact]
    public async Task Honours_retry_after_given_as_http_date()
    {
        receiver.Enqueue(new ScriptedResponse(429, RetryAfter: Start.AddSeconds(90).ToString("R", CultureInfo.InvariantCulture)));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Transient);
        outcome.RetryAfter.Should().Be(TimeSpan.FromSeconds(90));
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task Treats_throttling_timeouts_and_server_errors_as_transient(int status)
    {
        receiver.EnqueueResponse(status);

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = $"HTTP_{status}", RetryAfter = (TimeSpan?)null, ProviderStatus = status });
    }

    [Theory]
    [InlineData(301)]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(422)]
    public async Task Treats_redirects_and_other_client_errors_as_permanent(int status)
    {
        receiver.Enqueue(new ScriptedResponse(status, Body: "no such hook"));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = $"HTTP_{status}", ProviderStatus = status });
        outcome.ErrorMessage.Should().Contain("no such hook");
        receiver.Requests.Should().ContainSingle("a redirect is not followed");
    }

    [Fact]
    public async Task Truncates_a_long_error_body_in_the_message()
    {
        receiver.Enqueue(new ScriptedResponse(500, Body: new string('x', 100_000)));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.ErrorMessage.Should().Contain("xxxx");
        outcome.ErrorMessage!.Length.Should().BeLessThanOrEqualTo(501);
    }

    [Fact]
    public async Task Reports_a_receiver_slower_than_the_timeout_as_transient_timeout()
    {
        receiver.EnqueueResponse(200, delay: TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.StartNew();

        var outcome = await Sender(timeout: TimeSpan.FromMilliseconds(200)).SendAsync(Work(), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TIMEOUT" });
        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Reports_a_refused_connection_as_transient_network_error()
    {
        var work = Work(new Recipient(WebhookUrl: $"http://127.0.0.1:{FreeTcpPort.Pick()}/hook"));

        var outcome = await Sender().SendAsync(work, CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "NETWORK_ERROR" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    public async Task Rejects_a_missing_or_invalid_url_as_permanent_without_calling(string? url)
    {
        var outcome = await Sender().SendAsync(Work(new Recipient(WebhookUrl: url)), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "INVALID_RECIPIENT" });
        receiver.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Rejects_a_payload_that_is_not_json_as_permanent_without_calling()
    {
        var outcome = await Sender().SendAsync(Work() with { PayloadJson = "{not json" }, CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "INVALID_REQUEST" });
        receiver.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Throws_when_the_caller_cancels_instead_of_reporting_an_outcome()
    {
        receiver.HangAll();
        using var stopping = new CancellationTokenSource();

        var sending = Sender().SendAsync(Work(), stopping.Token);
        await receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(5));
        await stopping.CancelAsync();

        await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
    }

    private WebhookSender Sender(TimeSpan? timeout = null) =>
        new(Client, Options.Create(new WebhookOptions { Timeout = timeout ?? TimeSpan.FromSeconds(5) }), clock);

    private SendWork Work(Recipient? recipient = null) =>
        SendWorks.Create(Channel.Webhook, recipient ?? new Recipient(WebhookUrl: receiver.Url), secret);
}
