using Microsoft.AspNetCore.Http;
using Notifly.Grains.Storage;

namespace Notifly.Api.Http;

/// <summary>
/// Refuses a request whose query string or form fields carry text PostgreSQL cannot store
/// (a NUL, an unpaired surrogate: <see cref="StorableText"/>) with 400 VALIDATION_FAILED naming
/// the parameter, before any endpoint binds it to a statement. JSON bodies are checked where they
/// are read (<see cref="JsonBody"/>). Such a value used to reach a query's Bind and leave its
/// connection unusable for the next caller (docs/0018).
/// </summary>
public sealed class UnstorableTextGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // On every request: nothing is allocated unless there is a query string or a form to look at.
        // The path needs no check: Kestrel refuses a %00 in it with its own 400, and percent-decoding
        // turns bytes that are not UTF-8 into U+FFFD, never into an unpaired surrogate.
        Dictionary<string, string[]>? errors = null;
        if (context.Request.QueryString.HasValue)
        {
            foreach (var (key, values) in context.Request.Query)
            {
                Check(ref errors, key, values);
            }
        }

        if (IsForm(context.Request.ContentType))
        {
            // Read once here; ASP.NET keeps the parsed form for the endpoint (and its signature checks).
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException ex)
            {
                await Problems.Validation("$", $"the form body is malformed: {ex.Message}").ExecuteAsync(context);
                return;
            }

            foreach (var (key, values) in form)
            {
                Check(ref errors, key, values);
            }
        }

        if (errors is not null)
        {
            await Problems.Validation(errors).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase));

    private static void Check(ref Dictionary<string, string[]>? errors, string key, Microsoft.Extensions.Primitives.StringValues values)
    {
        var field = StorableText.IsStorable(key) ? key : "$";
        var problem = StorableText.Problem(key) is { } keyProblem
            ? $"a parameter name {keyProblem}"
            : values.Select(v => StorableText.Problem(v)).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            (errors ??= [])[field] = [$"{field} {problem}"];
        }
    }
}
