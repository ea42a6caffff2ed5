using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Sms;
using Notifly.Grains.Providers;
using Notifly.Tests.Channels;
using Notifly.Tests.Support;
using Polly.CircuitBreaker;

namespace Notifly.Tests.Providers;

// Covers one provider slot around the real Twilio sender and FakeTwilio, on a fake clock: the
// circuit opens after provider faults, skips the provider without calling it while open, lets one
// trial call through after the break and closes when it succeeds; recipient errors never open
// it; the concurrency limit holds calls back; the slot's timeout bounds a hanging provider.
// Not covered: failover between slots and the registry (ProviderFailoverTests).
public sealed class ProviderSlotTests : IAsyncLifetime
{
    private static readonly HttpClient Client = TwilioSmsSender.CreateHttpClient();

    private readonly ManualTimeProvider clock = new(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));
    private readonly List<CircuitState> transitions = [];
    private FakeTwilio twilio = null!;

    private static readonly CircuitBreakerSettings Breaker = new()
    {
        FailureRatio = 0.5,
        MinimumThroughput = 4,
        SamplingDuration = TimeSpan.FromSeconds(30),
        BreakDuration = TimeSpan.FromSeconds(20),
    };

    public async Task InitializeAsync() => twilio = await FakeTwilio.StartAsync();

    public async Task DisposeAsync() => await twilio.DisposeAsync();

    [Fact]
    public async Task The_circuit_opens_on_provider_faults_skips_the_provider_and_closes_after_a_good_trial()
    {
        var slot = Slot();
        twilio.FailAll(503, 20429, "Service unavailable");

        for (var i = 0; i < 4; i++)
        {
            (await slot.SendAsync(Work(), CancellationToken.None)).Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TWILIO_20429" });
        }

        slot.Circuit.Should().Be(CircuitState.Open);
        transitions.Should().Equal(CircuitState.Open);

        // Open: answered at once, Twilio not called, and the retry hint is the rest of the break.
        var skipped = await slot.SendAsync(Work(), CancellationToken.None);
        skipped.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = ProviderSlot.CircuitOpenCode, RetryAfter = TimeSpan.FromSeconds(20) });
        twilio.Messages.Should().HaveCount(4);

        twilio.Recover();
        clock.Advance(TimeSpan.FromSeconds(21));
        (await slot.SendAsync(Work(), CancellationToken.None)).Kind.Should().Be(OutcomeKind.Success);
        slot.Circuit.Should().Be(CircuitState.Closed);
        transitions.Should().Equal(CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed);
        twilio.Messages.Should().HaveCount(5);
    }

    [Fact]
    public async Task A_failed_trial_call_opens_the_circuit_again()
    {
        var slot = Slot();
        twilio.FailAll(500, 20500, "Internal Server Error");
        for (var i = 0; i < 4; i++)
        {
            await slot.SendAsync(Work(), CancellationToken.None);
        }

        clock.Advance(TimeSpan.FromSeconds(21));
        (await slot.SendAsync(Work(), CancellationToken.None)).ErrorCode.Should().Be("TWILIO_20500");
        slot.Circuit.Should().Be(CircuitState.Open);
        (await slot.SendAsync(Work(), CancellationToken.None)).ErrorCode.Should().Be(ProviderSlot.CircuitOpenCode);
        twilio.Messages.Should().HaveCount(5);
    }

    [Fact]
    public async Task Refused_credentials_open_the_circuit_but_invalid_recipients_never_do()
    {
        var slot = Slot();
        twilio.FailAll(400, 21211, "The 'To' number is not a valid phone number.");
        for (var i = 0; i < 10; i++)
        {
            (await slot.SendAsync(Work(), CancellationToken.None)).Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "TWILIO_21211" });
        }

        slot.Circuit.Should().Be(CircuitState.Closed, "a bad number is the recipient's fault, not Twilio's");

        twilio.FailAll(401, 20003, "Authenticate");
        for (var i = 0; i < 10; i++)
        {
            await slot.SendAsync(Work(), CancellationToken.None);
        }

        slot.Circuit.Should().Be(CircuitState.Open);
    }

    [Fact]
    public async Task The_concurrency_limit_holds_calls_back_and_the_timeout_bounds_a_hanging_provider()
    {
        var slot = Slot(maxConcurrency: 1, timeout: TimeSpan.FromMilliseconds(500), senderTimeout: TimeSpan.FromMinutes(1));
        // A first call sets up the connection (and the JIT): on a loaded machine that alone can
        // outlast the half-second timeout, and the hanging call would then never reach Twilio.
        (await slot.SendAsync(Work(), CancellationToken.None)).Kind.Should().Be(OutcomeKind.Success);
        twilio.EnqueueHang();

        var hanging = slot.SendAsync(Work(), CancellationToken.None);
        await Eventually.MatchAsync(() => Task.FromResult(twilio.Messages.Count), n => n == 2);
        var queued = slot.SendAsync(Work(), CancellationToken.None);
        await Task.Delay(100);
        twilio.Messages.Should().HaveCount(2, "the third call waits for the only slot");

        var timedOut = await hanging;
        timedOut.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TIMEOUT" });
        (await queued).Kind.Should().Be(OutcomeKind.Success);
        twilio.Messages.Should().HaveCount(3);
    }

    [Fact]
    public async Task Bulk_work_leaves_part_of_a_providers_concurrency_to_urgent_work()
    {
        // Five slots, 20 % reserved: four bulk calls hang, a fifth bulk call waits, a high-priority one goes straight through.
        var slot = Slot(maxConcurrency: 5, reservedForUrgent: 0.2, timeout: TimeSpan.FromSeconds(1), senderTimeout: TimeSpan.FromMinutes(1), breaker: false);
        for (var i = 0; i < 5; i++)
        {
            twilio.EnqueueHang();
        }

        var bulk = Enumerable.Range(0, 4).Select(_ => slot.SendAsync(Work(Priority.Low), CancellationToken.None)).ToArray();
        await Eventually.MatchAsync(() => Task.FromResult(twilio.Messages.Count), n => n == 4);
        var waiting = slot.SendAsync(Work(Priority.Normal), CancellationToken.None);
        var urgent = slot.SendAsync(Work(Priority.High), CancellationToken.None);
        await Eventually.MatchAsync(() => Task.FromResult(twilio.Messages.Count), n => n == 5);
        twilio.Messages[^1].Form["Body"].Should().Be("urgent");

        (await urgent).ErrorCode.Should().Be("TIMEOUT");
        (await Task.WhenAll(bulk)).Should().OnlyContain(o => o.ErrorCode == "TIMEOUT");
        (await waiting).Kind.Should().Be(OutcomeKind.Success, "it ran once a bulk slot freed up");
        twilio.Messages.Should().HaveCount(6);
    }

    private ProviderSlot Slot(int maxConcurrency = 8, TimeSpan? timeout = null, TimeSpan? senderTimeout = null, double reservedForUrgent = 0,
        bool breaker = true)
    {
        var options = new TwilioOptions
        {
            AccountSid = FakeTwilio.AccountSid,
            AuthToken = FakeTwilio.AuthToken,
            From = "+15005550006",
            BaseUrl = new Uri(twilio.BaseAddress),
            Timeout = senderTimeout ?? TimeSpan.FromSeconds(5),
        };
        return new ProviderSlot(
            new ProviderIdentity(Guid.NewGuid(), "twilio-main", "twilio", 1),
            new TwilioSmsSender(Client, Options.Create(options), clock),
            new ProviderLimits { MaxConcurrency = maxConcurrency, Timeout = timeout ?? TimeSpan.FromSeconds(10) },
            breaker ? Breaker : null, clock, (_, state) => transitions.Add(state), reservedForUrgent);
    }

    private static SendWork Work(Priority priority = Priority.Normal) =>
        SendWorks.Create(Channel.Sms, new Recipient(Phone: "+15558675310"), body: priority < Priority.Normal ? "urgent" : "hi") with { Priority = priority };
}
