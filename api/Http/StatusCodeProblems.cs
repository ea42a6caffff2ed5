using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Notifly.Api.Http;

/// <summary>
/// Problems for statuses the framework sets rather than us (routing's 404 and 405, Kestrel's 413,
/// a binding failure's 400): each gets the code its status stands for, so no answer goes out
/// without one.
/// </summary>
public static class StatusCodeProblems
{
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.ValidationFailed,
        StatusCodes.Status401Unauthorized => ErrorCodes.InvalidApiKey,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status409Conflict => ErrorCodes.Conflict,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimitExceeded,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.ServiceUnavailable,
        >= 500 => ErrorCodes.InternalError,
        _ => ErrorCodes.BadRequest,
    };

    /// <summary>
    /// For <c>UseStatusCodePages</c>: the framework's own writer declines a client whose Accept
    /// names only text/html and falls back to plain text; ours answers problem+json regardless.
    /// </summary>
    public static Task WriteAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        return Problems.Create(status, CodeFor(status), ReasonPhrases.GetReasonPhrase(status)).ExecuteAsync(context.HttpContext);
    }
}
