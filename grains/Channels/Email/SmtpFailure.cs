using System.Net.Mail;
using System.Net.Sockets;

namespace Notifly.Grains.Channels.Email;

/// <summary>Turns what SmtpClient threw into an outcome, by the SMTP reply class (RFC 5321 §4.2.1).</summary>
internal static class SmtpFailure
{
    public static AttemptOutcome Classify(SmtpException exception)
    {
        var status = (int)exception.StatusCode;
        var message = Describe(exception);
        return status switch
        {
            // 4yz: transient negative completion, e.g. 421 closing, 450/451 try later, 452 storage full.
            >= 400 and < 500 => AttemptOutcome.Transient($"SMTP_{status}", message, providerStatus: status),
            // 5yz: permanent, e.g. 550 mailbox unavailable, 553 bad address, 554 rejected.
            >= 500 and < 600 => AttemptOutcome.Permanent($"SMTP_{status}", message, status),
            // No reply code at all (GeneralFailure): the connection broke or never opened.
            _ when HasInner<SocketException>(exception) || HasInner<IOException>(exception) =>
                AttemptOutcome.Transient("NETWORK_ERROR", message),
            _ when HasInner<TimeoutException>(exception) => AttemptOutcome.Transient("TIMEOUT", message),
            _ => AttemptOutcome.Transient("SMTP_FAILURE", message),
        };
    }

    private static bool HasInner<T>(Exception exception)
        where T : Exception
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is T)
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(SmtpException exception)
    {
        var text = exception.InnerException is { } inner ? $"{exception.Message} ({inner.Message})" : exception.Message;
        return text.Length <= 500 ? text : text[..500] + "…";
    }
}
