using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Email;

// Covers SmtpEmailSender against a real SMTP server (aiosmtpd): what arrives, and how refusals,
// unreachable and silent servers, bad addresses and the caller's cancellation are classified.
// Not covered: STARTTLS and authentication (the sink speaks neither) and retries (the grain's job).
public sealed class SmtpEmailSenderTests(SmtpSinkFixture fixture) : IClassFixture<SmtpSinkFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private SmtpSink Sink => fixture.Sink;

    [Fact]
    public async Task Delivers_message_with_subject_body_and_tracing_headers()
    {
        var to = UniqueAddress("user");
        var work = SendWorks.Create(Channel.Email, new Recipient(Email: to), subject: "Your order shipped ✓", body: "It left the warehouse today.");

        var outcome = await Sender().SendAsync(work, CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Success, ProviderMessageId = $"<{work.NotificationId:N}.email@notifly>" });
        var message = (await Sink.WaitForMessagesAsync(1, Deadline, m => m.To!.Contains(to, StringComparison.Ordinal)))[0];
        message.Subject.Should().Be("Your order shipped ✓");
        message.Body.Should().Contain("It left the warehouse today.");
        message.MessageId.Should().Be($"<{work.NotificationId:N}.email@notifly>");
        message.Header("X-Notifly-Notification-Id").Should().Be(work.NotificationId.ToString());
        message.Header("X-Notifly-Correlation-Id").Should().Be(work.CorrelationId.ToString());
        message.Header("From").Should().Contain("no-reply@notifly.local");
    }

    [Fact]
    public async Task Falls_back_to_event_type_and_readable_payload_when_no_subject_or_body_given()
    {
        var to = UniqueAddress("user");

        await Sender().SendAsync(SendWorks.Create(Channel.Email, new Recipient(Email: to)), CancellationToken.None);

        var message = (await Sink.WaitForMessagesAsync(1, Deadline, m => m.To!.Contains(to, StringComparison.Ordinal)))[0];
        message.Subject.Should().Be("order.shipped");
        message.Body.Should().Contain("order.id: 42").And.Contain("order.items[1]: pen").And.Contain("note: ring twice");
    }

    [Fact]
    public async Task Keeps_message_id_across_attempts()
    {
        var to = UniqueAddress("user");
        var work = SendWorks.Create(Channel.Email, new Recipient(Email: to));

        await Sender().SendAsync(work, CancellationToken.None);
        await Sender().SendAsync(work with { Attempt = 2 }, CancellationToken.None);

        var messages = await Sink.WaitForMessagesAsync(2, Deadline, m => m.To!.Contains(to, StringComparison.Ordinal));
        messages.Select(m => m.MessageId).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task Reports_a_rejected_mailbox_as_permanent()
    {
        var outcome = await Sender().SendAsync(Work(UniqueAddress("reject")), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "SMTP_550", ProviderStatus = 550 });
    }

    [Fact]
    public async Task Reports_a_busy_mailbox_as_transient()
    {
        var outcome = await Sender().SendAsync(Work(UniqueAddress("busy")), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "SMTP_451", ProviderStatus = 451 });
    }

    [Fact]
    public async Task Reports_an_unreachable_server_as_transient()
    {
        var outcome = await Sender(port: FreeTcpPort.Pick()).SendAsync(Work(UniqueAddress("user")), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "NETWORK_ERROR" });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("user@")]
    [InlineData("user@example.com\r\nBcc: victim@example.com")]
    public async Task Rejects_an_invalid_address_as_permanent_without_connecting(string? address)
    {
        // Pointed at a closed port: had it tried to connect, the outcome would be transient.
        var outcome = await Sender(port: FreeTcpPort.Pick()).SendAsync(Work(address), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Permanent, ErrorCode = "INVALID_RECIPIENT" });
    }

    [Fact]
    public async Task Reports_a_server_that_never_greets_as_transient_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var outcome = await Sender(port, TimeSpan.FromMilliseconds(300)).SendAsync(Work(UniqueAddress("user")), CancellationToken.None);

        outcome.Should().BeEquivalentTo(new { Kind = OutcomeKind.Transient, ErrorCode = "TIMEOUT" });
    }

    [Fact]
    public async Task Throws_when_the_caller_cancels_instead_of_reporting_an_outcome()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var stopping = new CancellationTokenSource();

        var sending = Sender(port).SendAsync(Work(UniqueAddress("user")), stopping.Token);
        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(Deadline);
        await stopping.CancelAsync();

        await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OperationCanceledException>();
    }

    private static string UniqueAddress(string prefix) => $"{prefix}-{Guid.NewGuid():N}@example.com";

    private static SendWork Work(string? address) => SendWorks.Create(Channel.Email, new Recipient(Email: address));

    private SmtpEmailSender Sender(int? port = null, TimeSpan? timeout = null) =>
        new(Options.Create(new SmtpOptions
        {
            Host = Sink.Host,
            Port = port ?? Sink.Port,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        }));
}
