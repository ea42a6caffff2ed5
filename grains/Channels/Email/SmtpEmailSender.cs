using System.Net.Mail;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Recipients;
using MailKitSmtpClient = MailKit.Net.Smtp.SmtpClient;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// Sends over SMTP with MailKit: STARTTLS (opportunistic or required) or implicit TLS, AUTH, and
/// a server certificate checked against the system's trust store or the deployment's own CA.
/// With <see cref="UnsubscribeLinks"/> (the node always has it; unit tests may not) an email to a
/// named user carries RFC 8058 one-click unsubscribe headers.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, UnsubscribeLinks? unsubscribe = null) : IChannelSender
{
    private readonly Lazy<X509Certificate2?> _trustedCa = new(() =>
        options.Value.TrustedCaFile is { } file ? X509Certificate2.CreateFromPem(File.ReadAllText(file)) : null);

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

        // One connection per send, as before: concurrent deliveries stay apart, and a broken
        // connection never outlives the attempt that saw it.
        using var client = new MailKitSmtpClient
        {
            // MailKit's own bound on each read and write; ours (below) covers the whole conversation.
            Timeout = (int)Math.Min(int.MaxValue, settings.Timeout.TotalMilliseconds),
        };
        if (_trustedCa.Value is { } ca)
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) => IssuedBy(ca, certificate, errors);
        }

        // A source linked to the caller's keeps our timeout (retry later) apart from the caller's
        // cancellation (process stopping: throw).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, SocketOptions(settings.Security), deadline.Token);
            if (settings is { Username: { } user, Password: { } password })
            {
                await client.AuthenticateAsync(user, password, deadline.Token);
            }

            await client.SendAsync(message, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Transient("TIMEOUT", $"The SMTP server did not finish within {settings.Timeout.TotalSeconds:0.###} s.");
        }
        catch (Exception e) when (SmtpFailure.Classify(e, settings) is { } outcome)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return outcome;
        }

        // The server took the message: a QUIT that fails now must not make it a failure, or the
        // retry would send it twice.
        await QuitQuietlyAsync(client, deadline.Token);
        return AttemptOutcome.Success(MessageId(work));
    }

    private static async Task QuitQuietlyAsync(MailKitSmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException
            or MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException)
        {
            // the connection closes with the client either way
        }
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTlsWhenAvailable,
    };

    /// <summary>
    /// The server's certificate chains to the deployment's CA and names the host: only an
    /// untrusted root is forgiven, never a wrong name or an expired certificate.
    /// </summary>
    private static bool IssuedBy(X509Certificate2 ca, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (presented is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes revocation
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    private static MimeMessage BuildMessage(SendWork work, MailAddress to, SmtpOptions settings)
    {
        var message = new MimeMessage
        {
            Subject = EmailContent.Subject(work),
            Body = new TextPart(work.BodyIsHtml ? "html" : "plain") { Text = EmailContent.Body(work) },
        };
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(new MailboxAddress(to.DisplayName, to.Address));
        message.Headers.Replace(HeaderId.MessageId, MessageId(work));
        message.Headers.Add("X-Notifly-Notification-Id", work.NotificationId.ToString("D"));
        message.Headers.Add("X-Notifly-Correlation-Id", work.CorrelationId.ToString("D"));
        return message;
    }
}
