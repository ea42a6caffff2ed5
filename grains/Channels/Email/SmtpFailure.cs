using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Notifly.Grains.Channels.Email;

/// <summary>Turns what MailKit threw into an outcome; SMTP replies by their class (RFC 5321 §4.2.1).</summary>
internal static class SmtpFailure
{
    /// <returns>null for an exception that is not the conversation's (a bug: let it surface).</returns>
    public static AttemptOutcome? Classify(Exception exception, SmtpOptions settings) => exception switch
    {
        SmtpCommandException { StatusCode: var code } e when (int)code is >= 400 and < 500 =>
            AttemptOutcome.Transient($"SMTP_{(int)code}", Describe(e), providerStatus: (int)code),
        // 5yz: permanent, e.g. 550 mailbox unavailable, 553 bad address, 554 rejected.
        SmtpCommandException { StatusCode: var code } e => AttemptOutcome.Permanent($"SMTP_{(int)code}", Describe(e), (int)code),
        // Refused credentials: the deployment's to fix, and another provider might take the mail.
        AuthenticationException e => AttemptOutcome.Permanent(AttemptOutcome.AuthFailed,
            Describe(e, $"The SMTP server refused {SmtpOptions.SectionName}:Username/Password.")),
        // What the settings ask for and the server does not offer: refused, nothing sent.
        NotSupportedException e when e.Message.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
            AttemptOutcome.Transient("SMTP_STARTTLS_UNAVAILABLE",
                $"{settings.Host}:{settings.Port} does not offer STARTTLS, which {SmtpOptions.SectionName}:Security requires; nothing was sent."),
        NotSupportedException e => AttemptOutcome.Transient("SMTP_NOT_SUPPORTED",
            Describe(e, $"{settings.Host}:{settings.Port} does not offer what {SmtpOptions.SectionName} asks for (AUTH is offered only over TLS by most servers).")),
        SslHandshakeException e => AttemptOutcome.Transient("SMTP_TLS_FAILED", Describe(e)),
        SmtpProtocolException e => AttemptOutcome.Transient("SMTP_PROTOCOL_ERROR", Describe(e)),
        TimeoutException e => AttemptOutcome.Transient("TIMEOUT", Describe(e)),
        SocketException or IOException or ServiceNotConnectedException => AttemptOutcome.Transient("NETWORK_ERROR", Describe(exception)),
        _ => null,
    };

    private static string Describe(Exception exception, string? prefix = null)
    {
        var text = exception.InnerException is { } inner ? $"{exception.Message} ({inner.Message})" : exception.Message;
        text = prefix is null ? text : $"{prefix} {text}";
        return text.Length <= 500 ? text : text[..500] + "…";
    }
}
