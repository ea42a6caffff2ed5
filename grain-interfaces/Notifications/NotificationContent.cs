using System.Text.Json;

namespace Notifly.GrainInterfaces.Notifications;

/// <summary>
/// What a notification sends and to whom, as stored at intake: the recipient's addresses (filled
/// from the profile when the request named only a userId), the subject and body (rendered, when
/// a template made them), the payload, and the template version that rendered them.
/// </summary>
public sealed record NotificationContent(
    Recipient Recipient,
    string? Subject,
    string? Body,
    bool BodyIsHtml,
    JsonElement Payload,
    NotificationTemplate? Template);
