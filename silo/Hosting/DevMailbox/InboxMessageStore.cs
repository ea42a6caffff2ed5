using System.Buffers;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>SmtpServer's hook for a finished DATA: every message goes to the <see cref="Inbox"/>, whoever it is for.</summary>
internal sealed partial class InboxMessageStore(Inbox inbox, ILogger logger) : MessageStore
{
    public override Task<SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var mail = inbox.Add(Address(transaction.From), [.. transaction.To.Select(Address)], buffer.ToArray());
        LogCaptured(logger, mail.Id, mail.From, string.Join(", ", mail.To), mail.Subject);
        return Task.FromResult(SmtpResponse.Ok);
    }

    // The null sender (MAIL FROM:<>, as bounces use) arrives as a mailbox with neither user nor host.
    private static string Address(IMailbox mailbox) =>
        string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host) ? string.Empty : mailbox.AsAddress();

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail {MailId} captured from {From} to {To}: {Subject}")]
    private static partial void LogCaptured(ILogger logger, string mailId, string from, string to, string subject);
}
