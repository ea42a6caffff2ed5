using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Push;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Push;

// Covers FcmPushSender and FcmAccessTokens against FakeFcm, a real Kestrel listener that checks
// the JWT bearer grant (RS256 signature, claims) and the v1 message, and answers with FCM's
// documented error payloads. Not covered: retries and backoff (the NotificationGrain decides
// those), removing an UNREGISTERED token from the recipient's profile (not built yet).
public sealed class FcmPushSenderTests : IAsyncLifetime
{
    private static readonly HttpClient Client = FcmPushSender.CreateHttpClient();
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider clock = new(Start);
    private readonly CapturedLogs logs = new();
    private FakeFcm fcm = null!;
    private FcmAccessTokens tokens = null!;

    public async Task InitializeAsync()
    {
        fcm = await FakeFcm.StartAsync();
        var account = FcmServiceAccount.Parse(fcm.ServiceAccountJson, "test");
        tokens = new FcmAccessTokens(Client, account, clock, logs.CreateLogger<FcmAccessTokens>());
    }

    public async Task DisposeAsync() => await fcm.DisposeAsync();

    [Fact]
    public async Task Sends_v1_message_with_bearer_token_and_keeps_fcm_message_name()
    {
        var work = Work(subject: "Shipped", body: "Your order is on its way");

        var outcome = await Sender().SendAsync(work, CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Success);
        outcome.ProviderMessageId.Should().StartWith($"projects/{FakeFcm.ProjectId}/messages/");
        fcm.Problems.Should().BeEmpty();
        var request = fcm.Sends.Single();
        request.Path.Should().Be($"/v1/projects/{FakeFcm.ProjectId}/messages:send");
        request.Header("Authorization").Should().Be($"Bearer {fcm.IssuedTokens.Single()}");
        var message = JsonDocument.Parse(request.Body).RootElement.GetProperty("message");
        message.GetProperty("token").GetString().Should().Be("device-token-1");
        message.GetProperty("notification").GetProperty("title").GetString().Should().Be("Shipped");
        message.GetProperty("notification").GetProperty("body").GetString().Should().Be("Your order is on its way");
        message.GetProperty("data").GetProperty("notificationId").GetString().Should().Be(work.NotificationId.ToString());
        message.GetProperty("data").GetProperty("eventType").GetString().Should().Be("order.shipped");
    }

    [Fact]
    public async Task Without_a_body_sends_the_payload_as_text()
    {
        await Sender().SendAsync(Work(), CancellationToken.None);

        var message = JsonDocument.Parse(fcm.Sends.Single().Body).RootElement.GetProperty("message");
        message.GetProperty("notification").GetProperty("body").GetString().Should().Contain("order.id: 42").And.Contain("note: ring twice");
        message.GetProperty("notification").TryGetProperty("title", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Fetches_access_token_once_and_reuses_it_until_shortly_before_expiry()
    {
        var sender = Sender();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => sender.SendAsync(Work(), CancellationToken.None)));
        clock.Advance(TimeSpan.FromMinutes(54));
        await sender.SendAsync(Work(), CancellationToken.None);

        fcm.IssuedTokens.Should().HaveCount(1, "five concurrent sends share one exchange, and the token is good for an hour");

        clock.Advance(TimeSpan.FromMinutes(2)); // 56 min: within the refresh margin
        var outcome = await sender.SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Success);
        fcm.IssuedTokens.Should().HaveCount(2);
        fcm.Sends[^1].Header("Authorization").Should().Be($"Bearer {fcm.IssuedTokens[1]}");
        fcm.Problems.Should().BeEmpty();
    }

    [Theory]
    [InlineData(404, "NOT_FOUND", "UNREGISTERED", "FCM_UNREGISTERED")]
    [InlineData(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "FCM_INVALID_ARGUMENT")]
    [InlineData(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "PROVIDER_AUTH_FAILED")]
    [InlineData(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "PROVIDER_AUTH_FAILED")]
    public async Task Classifies_bad_tokens_and_auth_errors_as_permanent(int status, string rpcStatus, string errorCode, string expected)
    {
        fcm.EnqueueError(status, rpcStatus, errorCode);

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Permanent);
        outcome.ErrorCode.Should().Be(expected);
        outcome.ProviderStatus.Should().Be(status);
        outcome.ErrorMessage.Should().Contain(errorCode);
        fcm.Sends.Should().HaveCount(1, "a THIRD_PARTY_AUTH_ERROR 401 is not a stale token: no second call");
    }

    [Fact]
    public async Task Quota_exceeded_is_transient_and_honours_retry_after()
    {
        fcm.EnqueueError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", TimeSpan.FromSeconds(120));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Transient);
        outcome.ErrorCode.Should().Be("FCM_QUOTA_EXCEEDED");
        outcome.RetryAfter.Should().Be(TimeSpan.FromSeconds(120));
    }

    [Theory]
    [InlineData(503, "UNAVAILABLE")]
    [InlineData(500, "INTERNAL")]
    public async Task Unavailable_and_internal_are_transient(int status, string errorCode)
    {
        fcm.EnqueueError(status, errorCode, errorCode, TimeSpan.FromSeconds(30));

        var outcome = await Sender().SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Transient);
        outcome.ErrorCode.Should().Be($"FCM_{errorCode}");
        outcome.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_stale_access_token_is_dropped_and_the_send_retried_once_with_a_fresh_one()
    {
        var sender = Sender();
        await sender.SendAsync(Work(), CancellationToken.None);
        fcm.RevokeTokens();

        var outcome = await sender.SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Success);
        fcm.IssuedTokens.Should().HaveCount(2);
        fcm.Sends.Should().HaveCount(3);
        fcm.Sends[^1].Header("Authorization").Should().Be($"Bearer {fcm.IssuedTokens[1]}");
    }

    [Fact]
    public async Task A_refused_service_account_is_a_permanent_auth_failure()
    {
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var forged = fcm.ServiceAccountJson.Replace(
            JsonEncodedText.Encode(fcm.PrivateKeyPem).ToString(), JsonEncodedText.Encode(other.ExportPkcs8PrivateKeyPem()).ToString(), StringComparison.Ordinal);
        var account = FcmServiceAccount.Parse(forged, "test");
        var sender = new FcmPushSender(Client, new FcmAccessTokens(Client, account, clock, logs.CreateLogger<FcmAccessTokens>()), Options(), clock);

        var outcome = await sender.SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Permanent);
        outcome.ErrorCode.Should().Be("PROVIDER_AUTH_FAILED");
        outcome.ErrorMessage.Should().Contain("invalid_grant");
        fcm.Sends.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unreachable_fcm_is_transient()
    {
        var sender = new FcmPushSender(Client, tokens, Options(new Uri($"http://127.0.0.1:{FreeTcpPort.Pick()}")), clock);

        var outcome = await sender.SendAsync(Work(), CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Transient);
        outcome.ErrorCode.Should().Be("NETWORK_ERROR");
    }

    [Fact]
    public async Task Private_key_and_access_tokens_never_appear_in_outcomes_or_logs()
    {
        var sender = Sender();
        var outcomes = new List<AttemptOutcome> { await sender.SendAsync(Work(), CancellationToken.None) };
        fcm.EnqueueError(404, "NOT_FOUND", "UNREGISTERED");
        outcomes.Add(await sender.SendAsync(Work(), CancellationToken.None));
        fcm.EnqueueError(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", TimeSpan.FromSeconds(5));
        outcomes.Add(await sender.SendAsync(Work(), CancellationToken.None));
        fcm.RevokeTokens();
        outcomes.Add(await sender.SendAsync(Work(), CancellationToken.None));

        var text = string.Join("\n", outcomes.Select(o => o.ToString()).Concat(logs.Lines));
        logs.Lines.Should().NotBeEmpty();
        var keyBody = fcm.PrivateKeyPem.Split('\n')[1]; // a line of the key's base64
        text.Should().NotContain(keyBody);
        foreach (var token in fcm.IssuedTokens)
        {
            text.Should().NotContain(token);
        }

        FcmServiceAccount.Parse(fcm.ServiceAccountJson, "test").ToString().Should().NotContain(keyBody);
    }

    [Fact]
    public void A_broken_key_fails_validation_naming_the_setting_not_the_key()
    {
        var options = new FcmOptions { ServiceAccountJson = fcm.ServiceAccountJson.Replace("MII", "XX", StringComparison.Ordinal) };

        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), errors, validateAllProperties: true).Should().BeFalse();

        errors.Single().ErrorMessage.Should().Contain("Notifly:Channels:Fcm:ServiceAccountJson").And.Contain("private_key")
            .And.NotContain(fcm.PrivateKeyPem.Split('\n')[1][4..]);
    }

    private FcmPushSender Sender() => new(Client, tokens, Options(), clock);

    private IOptions<FcmOptions> Options(Uri? baseUrl = null) =>
        Microsoft.Extensions.Options.Options.Create(new FcmOptions { BaseUrl = baseUrl ?? new Uri(fcm.BaseAddress), Timeout = TimeSpan.FromSeconds(5) });

    private static SendWork Work(string? subject = null, string? body = null) =>
        SendWorks.Create(Channel.Push, new Recipient(PushToken: "device-token-1"), subject: subject, body: body);

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly List<string> lines = [];
        private readonly ILoggerFactory factory;

        public CapturedLogs() => factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(this));

        public IReadOnlyList<string> Lines { get { lock (lines) { return [.. lines]; } } }

        public ILogger<T> CreateLogger<T>() => factory.CreateLogger<T>();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.lines)
                {
                    owner.lines.Add($"{formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
