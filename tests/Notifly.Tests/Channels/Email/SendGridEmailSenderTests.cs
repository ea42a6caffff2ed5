using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Email;

// Covers SendGridEmailSender against FakeSendGrid, a real Kestrel server that checks the Bearer
// key and the JSON body and answers with SendGrid's documented payloads: the request it builds,
// and how 202, 400, 401/403, 413, 429 (with its reset time), 5xx, silence and a closed port are
// classified; that the API key never reaches an outcome. Not covered: retries (the
// NotificationGrain's), the one-click headers (SendGridDeliveryTests, which has a node to sign
// them) and the real api.sendgrid.com.
public sealed class SendGridEmailSenderTests : IAsyncLifetime
{
    private static readonly HttpClient Client = SendGridEmailSender.CreateHttpClient();
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider clock = new(Start);
    private readonly List<AttemptOutcome> outcomes = [];
    private FakeSendGrid sendGrid = null!;

    public async Task InitializeAsync() => sendGrid = await FakeSendGrid.StartAsync();

    public async Task DisposeAsync()
    {
        // Whatever a test provoked, the key must not be in what we keep about an attempt.
        outcomes.Select(o => o.ToString()).Should().NotContain(o => o.Contains(FakeSendGrid.ApiKey, StringComparison.Ordinal));
        await sendGrid.DisposeAsync();
    }

    [Fact]
    public async Task Sends_the_documented_json_and_keeps_the_x_message_id()
    {
        var work = Work("ada@example.com", subject: "Your order shipped ✓", body: "It left the warehouse today.");

        var outcome = await SendAsync(work);

        var mail = sendGrid.Mails.Single();
        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Success, ProviderMessageId = mail.MessageId, ProviderStatus = 202 });
        mail.To.Should().Be("ada@example.com");
        mail.CustomArg("notification_id").Should().Be(work.NotificationId.ToString());
        mail.CustomArg("tenant_id").Should().Be(work.TenantId.ToString());
        mail.Body.GetProperty("from").GetProperty("email").GetString().Should().Be("no-reply@notifly.example");
        mail.Body.GetProperty("from").GetProperty("name").GetString().Should().Be("Notifly");
        mail.Body.GetProperty("subject").GetString().Should().Be("Your order shipped ✓");
        var content = mail.Body.GetProperty("content").EnumerateArray().Single();
        content.GetProperty("type").GetString().Should().Be("text/plain");
        content.GetProperty("value").GetString().Should().Be("It left the warehouse today.");
        mail.Header("X-Notifly-Notification-Id").Should().Be(work.NotificationId.ToString());
        mail.Header("X-Notifly-Correlation-Id").Should().Be(work.CorrelationId.ToString());
        mail.Header("List-Unsubscribe").Should().BeNull("no unsubscribe links without a node");
    }

    [Fact]
    public async Task Sends_html_only_for_a_body_rendered_from_an_html_template_and_no_from_name_when_unset()
    {
        await SendAsync(Work("ada@example.com", subject: "Hi", body: "<p>Hi</p>") with { BodyIsHtml = true }, o => o.FromName = null);

        var mail = sendGrid.Mails.Single();
        mail.Body.GetProperty("content")[0].GetProperty("type").GetString().Should().Be("text/html");
        mail.Body.GetProperty("from").TryGetProperty("name", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Falls_back_to_the_event_type_and_the_readable_payload_like_smtp()
    {
        await SendAsync(Work("ada@example.com"));
        await SendAsync(Work("bob@example.com", subject: "Line one\r\nBcc: victim@example.com"));
        await SendAsync(Work("eve@example.com", payload: "{}"));

        var mails = sendGrid.Mails;
        mails[0].Body.GetProperty("subject").GetString().Should().Be("order.shipped");
        mails[0].Body.GetProperty("content")[0].GetProperty("value").GetString().Should()
            .Be("order.id: 42\r\norder.items[0]: book\r\norder.items[1]: pen\r\nnote: ring twice\r\n");
        mails[1].Body.GetProperty("subject").GetString().Should().Be("Line one Bcc: victim@example.com");
        mails[2].Body.GetProperty("content")[0].GetProperty("value").GetString().Should().Be("order.shipped",
            "SendGrid refuses an empty content value, and an empty payload renders as nothing");
    }

    [Fact]
    public async Task Fails_for_good_on_400_with_sendgrids_first_error()
    {
        sendGrid.EnqueueError(400,
            ("Does not contain a valid address.", "personalizations.0.to.0.email"),
            ("The subject is required.", "subject"));

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "SENDGRID_BAD_REQUEST", ProviderStatus = 400 });
        outcome.ErrorMessage.Should().Contain("Does not contain a valid address.").And.Contain("personalizations.0.to.0.email")
            .And.NotContain("The subject is required.");
    }

    [Fact]
    public async Task Flags_a_refused_key_as_the_providers_auth_failure_without_showing_it()
    {
        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"), o => o.ApiKey = "SG.not-the-key.0123456789");

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "PROVIDER_AUTH_FAILED", ProviderStatus = 401 });
        outcome.ErrorMessage.Should().Contain("authorization grant is invalid").And.NotContain("SG.not-the-key");
        sendGrid.Mails.Should().BeEmpty();
    }

    [Fact]
    public async Task Flags_an_unverified_sender_403_as_the_providers_auth_failure()
    {
        sendGrid.EnqueueError(403, ("The from address does not match a verified Sender Identity.", "from"));

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "PROVIDER_AUTH_FAILED", ProviderStatus = 403 });
        outcome.ErrorMessage.Should().Contain("verified Sender Identity");
    }

    [Fact]
    public async Task Fails_for_good_on_a_payload_too_large()
    {
        sendGrid.EnqueueRaw(413, """{"errors":[{"message":"request entity too large","field":null,"help":null}]}""");

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "SENDGRID_PAYLOAD_TOO_LARGE", ProviderStatus = 413 });
    }

    [Fact]
    public async Task Retries_on_429_when_the_rate_limit_window_resets()
    {
        sendGrid.EnqueueRateLimited(reset: Start.AddSeconds(42));

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"));

        outcome.Should().BeEquivalentTo(new
        {
            Kind = OutcomeKind.Transient, ErrorCode = "SENDGRID_RATE_LIMITED", RetryAfter = (TimeSpan?)TimeSpan.FromSeconds(42), ProviderStatus = 429,
        });
        outcome.ErrorMessage.Should().Contain("too many requests");
    }

    [Fact]
    public async Task Retries_on_429_after_the_longer_of_reset_and_retry_after()
    {
        sendGrid.EnqueueRateLimited(reset: Start.AddSeconds(5), retryAfter: TimeSpan.FromSeconds(90));
        sendGrid.EnqueueRateLimited(reset: Start.AddSeconds(-30));

        var longer = await SendAsync(Work("ada@example.com", body: "Hi"));
        var past = await SendAsync(Work("ada@example.com", body: "Hi"));

        longer.RetryAfter.Should().Be(TimeSpan.FromSeconds(90));
        past.RetryAfter.Should().Be(TimeSpan.Zero, "a reset already past means now, not a negative wait");
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Retries_later_on_a_server_error(int status)
    {
        sendGrid.EnqueueRaw(status, "<html>upstream error</html>");

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = $"HTTP_{status}", ProviderStatus = status });
        outcome.ErrorMessage.Should().Contain("upstream error");
    }

    [Fact]
    public async Task Retries_later_when_sendgrid_does_not_answer_in_time()
    {
        sendGrid.EnqueueHang();

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"), o => o.Timeout = TimeSpan.FromMilliseconds(300));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TIMEOUT" });
    }

    [Fact]
    public async Task Retries_later_when_sendgrid_cannot_be_reached()
    {
        var closed = FreeTcpPort.Pick();

        var outcome = await SendAsync(Work("ada@example.com", body: "Hi"), o => o.BaseUrl = new Uri($"http://127.0.0.1:{closed}"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "NETWORK_ERROR" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-an-address")]
    [InlineData("user@example.com\r\nBcc: victim@example.com")]
    public async Task Refuses_an_invalid_recipient_without_calling_sendgrid(string? address)
    {
        var outcome = await SendAsync(Work(address, body: "Hi"));

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "INVALID_RECIPIENT" });
        sendGrid.Mails.Should().BeEmpty();
    }

    [Fact]
    public async Task Throws_when_the_caller_cancels_instead_of_reporting_an_outcome()
    {
        sendGrid.EnqueueHang();
        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var sending = new SendGridEmailSender(Client, Settings(), clock).SendAsync(Work("ada@example.com", body: "Hi"), stopping.Token);

        await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
    }

    private static SendWork Work(string? email, string? subject = null, string? body = null, string payload = SendWorks.Payload) =>
        SendWorks.Create(Channel.Email, new Recipient(Email: email), subject: subject, body: body, payloadJson: payload);

    private SendGridOptions Settings() => new()
    {
        ApiKey = FakeSendGrid.ApiKey,
        From = "no-reply@notifly.example",
        FromName = "Notifly",
        BaseUrl = new Uri(sendGrid.BaseAddress),
        Timeout = TimeSpan.FromSeconds(5),
    };

    private async Task<AttemptOutcome> SendAsync(SendWork work, Action<SendGridOptions>? configure = null)
    {
        var settings = Settings();
        configure?.Invoke(settings);
        var outcome = await new SendGridEmailSender(Client, settings, clock).SendAsync(work, CancellationToken.None);
        outcomes.Add(outcome);
        return outcome;
    }
}
