namespace Notifly.Grains.Channels.Email;

/// <summary>What every email sender puts in a message, whatever the transport (SMTP, SendGrid).</summary>
internal static class EmailContent
{
    /// <summary>
    /// The caller's subject, else the event type. One line: MailMessage rejects a subject with a
    /// line break, and a line break in a header is a header injection anywhere else.
    /// </summary>
    public static string Subject(SendWork work) => (work.Subject ?? work.EventType).ReplaceLineEndings(" ");

    /// <summary>
    /// The rendered body, else the payload as <c>path: value</c> lines. HTML only when
    /// <see cref="SendWork.BodyIsHtml"/>: a body rendered from an HTML template (its variables were
    /// escaped then); a caller's own body or the payload as text stays plain text.
    /// </summary>
    public static string Body(SendWork work) => work.Body ?? PayloadText.Render(work.PayloadJson);
}
