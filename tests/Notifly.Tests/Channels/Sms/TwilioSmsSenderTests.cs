using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Sms;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Sms;

// Covers TwilioSmsSender against FakeTwilio, a real Kestrel server that checks Basic auth and the
// form and answers with Twilio's documented payloads: the request, the WhatsApp addressing, and
// how success, recipient, auth, rate-limit, server and timeout answers are classified; that the
// auth token never reaches an outcome; and TwilioOptions' start-up validation.
// Not covered: retries (the NotificationGrain's) and the real api.twilio.com.
public sealed class TwilioSmsSenderTests : IAsyncLifetime
{
    private static readonly HttpClient Client = TwilioSmsSender.CreateHttpClient();
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider clock = new(Start);
    private readonly List<AttemptOutcome> outcomes = [];
    private FakeTwilio twilio = null!;

    public async Task InitializeAsync() => twilio = await FakeTwilio.StartAsync();

    public async Task DisposeAsync()
    {
        // Whatever a test provoked, the token must not be in what we keep about an attempt.
        outcomes.Select(o => o.ToString()).Should().NotContain(o => o.Contains(FakeTwilio.AuthToken, StringComparison.Ordinal));
        await twilio.DisposeAsync();
    }

    [Fact]
    public async Task Sends_an_sms_and_keeps_the_message_sid()
    {
        var outcome = await SendAsync(Work("+15558675310", body: "Your order shipped."));

        var message = twilio.Messages.Single();
        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Success, ProviderMessageId = message.Sid, ProviderStatus = 201 });
        message.Sid.Should().StartWith("SM");
        message.Form.Should().Equal(new Dictionary<string, string>
        {
            ["To"] = "+15558675310",
            ["From"] = "+15005550006",
            ["Body"] = "Your order shipped.",
        });
    }

    [Fact]
    public async Task Falls_back_to_the_subject_then_to_the_payload_as_text()
    {
        await SendAsync(Work("+15558675310", subject: "Shipped"));
        await SendAsync(Work("+15558675310"));

        twilio.Messages.Select(m => m.Form["Body"]).Should().Equal(
            "Shipped",
            "order.id: 42\norder.items[0]: book\norder.items[1]: pen\nnote: ring twice");
    }

    [Fact]
    public async Task Sends_whatsapp_from_the_whatsapp_address_of_the_sender()
    {
        var outcome = await SendAsync(Work("whatsapp:+15558675310", body: "Hi"));

        outcome.Kind.Should().Be(OutcomeKind.Success);
        var form = twilio.Messages.Single().Form;
        form["To"].Should().Be("whatsapp:+15558675310");
        form["From"].Should().Be("whatsapp:+15005550006");
    }

    [Fact]
    public async Task Sends_through_a_messaging_service_when_from_is_its_sid()
    {
        const string service = "MG0123456789abcdef0123456789abcdef";

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"), o => o.From = service);

        outcome.Kind.Should().Be(OutcomeKind.Success);
        var form = twilio.Messages.Single().Form;
        form["MessagingServiceSid"].Should().Be(service);
        form.Should().NotContainKey("From");
    }

    [Theory]
    [InlineData(21211, "The 'To' number +1555 is not a valid phone number.")]
    [InlineData(21614, "'To' number is not a valid mobile number")]
    [InlineData(21610, "Attempt to send to unsubscribed recipient")]
    [InlineData(21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number")]
    public async Task Fails_for_good_on_documented_recipient_errors(int code, string message)
    {
        twilio.EnqueueError(400, code, message);

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = $"TWILIO_{code}", ProviderStatus = 400 });
        outcome.ErrorMessage.Should().Contain(message).And.Contain($"https://www.twilio.com/docs/errors/{code}");
    }

    [Fact]
    public async Task Retries_later_on_429_with_the_retry_after_hint()
    {
        twilio.EnqueueError(429, 20429, "Too Many Requests", retryAfter: TimeSpan.FromSeconds(7));

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"));

        outcome.Should().BeEquivalentTo(new
        {
            Kind = OutcomeKind.Transient, ErrorCode = "TWILIO_20429", RetryAfter = (TimeSpan?)TimeSpan.FromSeconds(7), ProviderStatus = 429,
        });
    }

    [Fact]
    public async Task Retries_later_on_a_server_error()
    {
        twilio.EnqueueError(500, 20500, "Internal Server Error");

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TWILIO_20500", RetryAfter = (TimeSpan?)null });
    }

    [Fact]
    public async Task Flags_refused_credentials_as_the_deployments_problem()
    {
        var outcome = await SendAsync(Work("+15558675310", body: "Hi"), o => o.AuthToken = "not-the-token");

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "PROVIDER_AUTH_FAILED", ProviderStatus = 401 });
        outcome.ErrorMessage.Should().Contain("credentials").And.Contain("Notifly:Channels:Twilio").And.NotContain("not-the-token");
        twilio.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Retries_later_when_twilio_does_not_answer_in_time()
    {
        twilio.EnqueueHang();

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"), o => o.Timeout = TimeSpan.FromMilliseconds(300));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TIMEOUT" });
    }

    [Fact]
    public async Task Retries_later_when_twilio_cannot_be_reached()
    {
        var closed = FreeTcpPort.Pick();

        var outcome = await SendAsync(Work("+15558675310", body: "Hi"), o => o.BaseUrl = new Uri($"http://127.0.0.1:{closed}"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "NETWORK_ERROR" });
    }

    [Fact]
    public async Task Refuses_a_recipient_without_phone_without_calling_twilio()
    {
        var outcome = await SendAsync(Work(null, body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "INVALID_RECIPIENT" });
        twilio.Messages.Should().BeEmpty();
    }

    [Fact]
    public void Validation_names_the_bad_setting_and_never_shows_the_token()
    {
        var resolve = () => Resolve(o => o.From = "Notifly");

        resolve.Should().Throw<OptionsValidationException>()
            .WithMessage("*Notifly:Channels:Twilio:From*")
            .Which.Message.Should().NotContain(FakeTwilio.AuthToken);
        FluentActions.Invoking(() => Resolve(o => o.AuthToken = null)).Should().Throw<OptionsValidationException>()
            .WithMessage("*Notifly:Channels:Twilio:AuthToken*");
        FluentActions.Invoking(() => Resolve(o => o.AccountSid = "AC123")).Should().Throw<OptionsValidationException>()
            .WithMessage("*Notifly:Channels:Twilio:AccountSid*");
        FluentActions.Invoking(() => Resolve(_ => { })).Should().NotThrow();
    }

    private static SendWork Work(string? phone, string? subject = null, string? body = null) =>
        SendWorks.Create(Channel.Sms, new Recipient(Phone: phone), subject: subject, body: body);

    private TwilioOptions Settings() => new()
    {
        AccountSid = FakeTwilio.AccountSid,
        AuthToken = FakeTwilio.AuthToken,
        From = "+15005550006",
        BaseUrl = new Uri(twilio.BaseAddress),
        Timeout = TimeSpan.FromSeconds(5),
    };

    private async Task<AttemptOutcome> SendAsync(SendWork work, Action<TwilioOptions>? configure = null)
    {
        var settings = Settings();
        configure?.Invoke(settings);
        var outcome = await new TwilioSmsSender(Client, Options.Create(settings), clock).SendAsync(work, CancellationToken.None);
        outcomes.Add(outcome);
        return outcome;
    }

    private TwilioOptions Resolve(Action<TwilioOptions> configure)
    {
        var services = new ServiceCollection();
        var settings = Settings();
        services.AddOptions<TwilioOptions>()
            .Configure(o =>
            {
                o.AccountSid = settings.AccountSid;
                o.AuthToken = settings.AuthToken;
                o.From = settings.From;
                o.BaseUrl = settings.BaseUrl;
                configure(o);
            })
            .ValidateDataAnnotations();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<TwilioOptions>>().Value;
    }
}
