namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>A header as the message carried it, decoded; a list of these keeps order and repeats.</summary>
public sealed record MailHeader(string Name, string Value);
