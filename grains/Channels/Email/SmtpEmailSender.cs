using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Recipients;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// Sends over SMTP with <see cref="SmtpClient"/>. Microsoft recommends MailKit instead, but MailKit
/// is not in our package registry; SmtpClient speaks plain SMTP and STARTTLS, which is all a relay needs.
/// With <see cref="UnsubscribeLinks"/> (the node always has it; unit tests may not) an email to a
/// named user carries RFC 8058 one-click unsubscribe headers.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, UnsubscribeLinks? unsubscribe = null) : IChannelSender
{
    public Channel Channel => Channel.Email;

    /// <summary>Derived from the idempotency key, so every attempt carries the same Message-ID and a duplicate can be spotted.</summary>
    public static string MessageId(SendWork work) => $"<{work.IdempotencyKey}@notifly>";

    public async Task<AttemptOutcome> SendAsync(SendWork work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(work.Recipient.Email) || !MailAddress.TryCreate(work.Recipient.Email, out var to))
        {
            return AttemptOutcome.Permanent("INVALID_RECIPIENT", "The recipient has no valid email address.");
        }

        var settings = options.Value;
        using var message = BuildMessage(work, to, settings);
        foreach (var (name, value) in await UnsubscribeLinks.HeadersAsync(unsubscribe, work, cancellationToken))
        {
            message.Headers.Add(name, value);
        }

        // SmtpClient is not thread-safe and holds one connection: one per send keeps concurrent
        // deliveries apart at the price of a connection each.
        using var client = CreateClient(settings);

        // A source linked to the caller's keeps our timeout (retry later) apart from the caller's
        // cancellation (process stopping: throw).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            await client.SendMailAsync(message, deadline.Token);
            return AttemptOutcome.Success(MessageId(work));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"The SMTP server did not finish within {settings.Timeout.TotalSeconds:0.###} s.");
        }
        catch (SmtpException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return SmtpFailure.Classify(e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return AttemptOutcome.Transient("NETWORK_ERROR", e.Message);
        }
    }

    private static MailMessage BuildMessage(SendWork work, MailAddress to, SmtpOptions settings)
    {
        var message = new MailMessage
        {
            From = new MailAddress(settings.From),
            Subject = EmailContent.Subject(work),
            Body = EmailContent.Body(work),
            IsBodyHtml = work.BodyIsHtml,
            SubjectEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
        };
        message.To.Add(to);
        message.Headers.Add("Message-ID", MessageId(work));
        message.Headers.Add("X-Notifly-Notification-Id", work.NotificationId.ToString("D"));
        message.Headers.Add("X-Notifly-Correlation-Id", work.CorrelationId.ToString("D"));
        return message;
    }

    private static SmtpClient CreateClient(SmtpOptions settings)
    {
        var client = new SmtpClient(settings.Host, settings.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            // SmtpClient's EnableSsl is STARTTLS on the plain port, not implicit TLS.
            EnableSsl = settings.EnableStartTls,
            // On .NET 10 this also bounds SendMailAsync, but it fails with a bare SmtpException that
            // looks like any other failure. Set past our own deadline, it is only a backstop.
            Timeout = (int)Math.Min(int.MaxValue, (settings.Timeout + TimeSpan.FromSeconds(5)).TotalMilliseconds),
        };
        if (settings.Username is not null)
        {
            client.Credentials = new NetworkCredential(settings.Username, settings.Password);
        }

        return client;
    }
}
