namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>The SMTP envelope: who the sender said it was from and to whom it was delivered, whatever the headers claim.</summary>
public sealed record MailEnvelope(string From, IReadOnlyList<string> To);
