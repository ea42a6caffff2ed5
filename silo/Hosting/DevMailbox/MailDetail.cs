namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary><c>GET /dev/mailbox/{id}</c>: the message parsed; its raw form is at <c>/dev/mailbox/{id}.eml</c>.</summary>
public sealed record MailDetail(
    string Id,
    DateTimeOffset ReceivedAt,
    MailEnvelope Envelope,
    string From,
    IReadOnlyList<string> To,
    string Subject,
    IReadOnlyList<MailHeader> Headers,
    string? Text,
    string? Html);
