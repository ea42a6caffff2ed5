// Single-node mode's local mailbox: mail sent over real SMTP (System.Net.Mail, as the email
// channel sends) to the listener DevMode starts, read back through /dev/mailbox over HTTP; the
// bounds on what it keeps. Not covered here: DevMode pointing the email channel at it when no SMTP
// host is set (DevModeTests sends README's example through it).
using System.Net;
using System.Net.Http.Json;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Notifly.Silo.Hosting.DevMailbox;
using Notifly.Tests.Support;

namespace Notifly.Tests.Hosting.DevMailbox;

public class DevMailboxTests
{
    [Fact]
    public async Task Mail_sent_over_SMTP_shows_in_the_list_with_its_subject_recipient_and_body()
    {
        await using var mailbox = await DevMailboxHost.StartAsync();
        var to = $"ada-{Guid.NewGuid():N}@example.com";

        await SendAsync(mailbox, to, "Thanks for your order", "Order 42 is paid.\r\nIt ships tomorrow.");

        var list = await mailbox.Http.GetFromJsonAsync<List<MailSummary>>("/dev/mailbox");
        var summary = list.Should().ContainSingle().Subject;
        summary.Subject.Should().Be("Thanks for your order");
        summary.To.Should().Equal(to);
        summary.From.Should().Contain("shop@example.com");
        summary.Preview.Should().Be("Order 42 is paid. It ships tomorrow.");

        var detail = await mailbox.Http.GetFromJsonAsync<MailDetail>($"/dev/mailbox/{summary.Id}");
        detail!.Envelope.Should().BeEquivalentTo(new MailEnvelope("shop@example.com", [to]));
        detail.Text.Should().Contain("Order 42 is paid.").And.Contain("It ships tomorrow.");
        detail.Html.Should().BeNull();
        detail.Headers.Should().Contain(new MailHeader("Subject", "Thanks for your order"));
        detail.Headers.Should().Contain(new MailHeader("X-Order", "42"));
    }

    [Fact]
    public async Task Shows_the_text_and_html_bodies_and_serves_the_raw_message_as_eml()
    {
        await using var mailbox = await DevMailboxHost.StartAsync();
        using (var message = new MailMessage("shop@example.com", "ada@example.com") { Subject = "Receipt", SubjectEncoding = Encoding.UTF8 })
        {
            message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString("Total: 12 €", Encoding.UTF8, MediaTypeNames.Text.Plain));
            message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(
                "<html><head><style>p{color:red}</style></head><body><p>Total: <b>12&nbsp;€</b></p></body></html>", Encoding.UTF8, MediaTypeNames.Text.Html));
            await SendAsync(mailbox, message);
        }

        var id = (await mailbox.Http.GetFromJsonAsync<List<MailSummary>>("/dev/mailbox"))!.Single().Id;
        var detail = await mailbox.Http.GetFromJsonAsync<MailDetail>($"/dev/mailbox/{id}");
        detail!.Text.Should().Contain("Total: 12 €");
        detail.Html.Should().Contain("<b>12&nbsp;€</b>");

        var raw = await mailbox.Http.GetAsync($"/dev/mailbox/{id}.eml");
        raw.StatusCode.Should().Be(HttpStatusCode.OK);
        raw.Content.Headers.ContentType!.MediaType.Should().Be("message/rfc822");
        var eml = await raw.Content.ReadAsStringAsync();
        eml.Should().Contain("Subject: Receipt").And.Contain("multipart/alternative");

        (await mailbox.Http.GetAsync("/dev/mailbox/no-such-id")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await mailbox.Http.GetAsync("/dev/mailbox/no-such-id.eml")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Keeps_only_the_newest_messages_up_to_its_capacity()
    {
        await using var mailbox = await DevMailboxHost.StartAsync(new DevMailboxOptions { Capacity = 3 });

        for (var i = 1; i <= 5; i++)
        {
            await SendAsync(mailbox, "ada@example.com", $"message {i}", $"body {i}");
        }

        var list = await mailbox.Http.GetFromJsonAsync<List<MailSummary>>("/dev/mailbox");
        list!.Select(m => m.Subject).Should().Equal("message 5", "message 4", "message 3");
        mailbox.Smtp.Inbox.Count.Should().Be(3);
    }

    [Fact]
    public void Keeps_only_as_many_of_the_newest_messages_as_fit_in_its_byte_budget()
    {
        var inbox = new Inbox(new DevMailboxOptions { Capacity = 100, MaxTotalBytes = 2500, MaxMessageBytes = 1024 }, TimeProvider.System);

        foreach (var subject in new[] { "first", "second", "third" })
        {
            inbox.Add("shop@example.com", ["ada@example.com"], Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\n{new string('x', 1000)}\r\n"));
        }

        inbox.List().Select(m => m.Subject).Should().Equal("third", "second");
    }

    [Fact]
    public void A_mailbox_that_could_keep_no_message_fails_at_start_naming_the_setting()
    {
        var start = () => LocalSmtpServer.Start(
            new DevMailboxOptions { MaxTotalBytes = 4096, MaxMessageBytes = 8192 }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        start.Should().Throw<InvalidOperationException>().WithMessage("*Notifly:Dev:Mailbox:MaxMessageBytes*");
    }

    private static async Task SendAsync(DevMailboxHost mailbox, string to, string subject, string body)
    {
        using var message = new MailMessage("shop@example.com", to, subject, body);
        message.Headers.Add("X-Order", "42");
        await SendAsync(mailbox, message);
    }

    private static async Task SendAsync(DevMailboxHost mailbox, MailMessage message)
    {
        using var client = new SmtpClient(mailbox.Smtp.Host, mailbox.Smtp.Port);
        await client.SendMailAsync(message);
    }
}
