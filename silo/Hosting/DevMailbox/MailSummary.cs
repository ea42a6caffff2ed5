namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>One line of <c>GET /dev/mailbox</c>.</summary>
public sealed record MailSummary(
    string Id, DateTimeOffset ReceivedAt, string From, IReadOnlyList<string> To, string Subject, string Preview, int SizeBytes)
{
    public static MailSummary Of(CapturedMail mail)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return new(mail.Id, mail.ReceivedAt, mail.From, mail.To, mail.Subject, mail.Preview, mail.Raw.Length);
    }
}
