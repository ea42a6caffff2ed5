using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Http;
using Notifly.Grains.Recipients;

namespace Notifly.Api.Recipients;

/// <summary>
/// <c>/u/{token}</c>, the target of an email's List-Unsubscribe header. No API key: the signed
/// token is the authority. POST records the opt-out (RFC 8058 one-click; the body
/// <c>List-Unsubscribe=One-Click</c> is not required). GET changes nothing, because mail scanners
/// fetch links: it shows a page whose button POSTs.
/// </summary>
public static class UnsubscribeApi
{
    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/u/{token}", Post).WithName("OneClickUnsubscribe").WithTags("Recipients").DisableAntiforgery();
        app.MapGet("/u/{token}", Get).WithName("UnsubscribePage").WithTags("Recipients");
        return app;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Post(
        string token, UnsubscribeLinks links, CancellationToken cancellationToken)
    {
        return await links.UnsubscribeAsync(token, cancellationToken)
            ? TypedResults.Text("You are unsubscribed.", "text/plain")
            : Problems.NotFound("Unsubscribe link");
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Get(string token)
    {
        if (UnsubscribeToken.Read(token) is null)
        {
            return Problems.NotFound("Unsubscribe link");
        }

        return TypedResults.Content(
            $"""
            <!doctype html><meta charset="utf-8"><title>Unsubscribe</title>
            <form method="post" action="/u/{Uri.EscapeDataString(token)}">
            <input type="hidden" name="List-Unsubscribe" value="One-Click">
            <button>Unsubscribe</button></form>
            """, "text/html");
    }
}
