using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>
/// <c>/dev/mailbox</c>: the local mailbox's mail, for single-node mode only. Outside the API
/// description and without authentication, like <c>/dev/webhook-sink</c>: single-node mode is one
/// person's machine, and these routes do not exist on a production node.
/// </summary>
public static class DevMailboxApi
{
    public const string Path = "/dev/mailbox";

    public static RouteGroupBuilder MapDevMailboxApi(this IEndpointRouteBuilder app)
    {
        var mailbox = app.MapGroup(Path).ExcludeFromDescription();
        mailbox.MapGet("", List);
        // A literal suffix is more specific than a bare parameter, so "x.eml" never reaches Get.
        mailbox.MapGet("/{id}.eml", Raw);
        mailbox.MapGet("/{id}", Get);
        return mailbox;
    }

    /// <summary>Newest first.</summary>
    public static Ok<IReadOnlyList<MailSummary>> List(Inbox inbox)
    {
        ArgumentNullException.ThrowIfNull(inbox);
        return TypedResults.Ok<IReadOnlyList<MailSummary>>([.. inbox.List().Select(MailSummary.Of)]);
    }

    public static Results<Ok<MailDetail>, NotFound> Get(string id, Inbox inbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inbox);
        return inbox.Find(id) is { } mail ? TypedResults.Ok(MailReader.Detail(mail, cancellationToken)) : TypedResults.NotFound();
    }

    /// <summary>The message exactly as received, to open in a mail client.</summary>
    public static Results<FileContentHttpResult, NotFound> Raw(string id, Inbox inbox)
    {
        ArgumentNullException.ThrowIfNull(inbox);
        return inbox.Find(id) is { } mail
            ? TypedResults.File(mail.Raw, "message/rfc822", $"{mail.Id}.eml")
            : TypedResults.NotFound();
    }
}
