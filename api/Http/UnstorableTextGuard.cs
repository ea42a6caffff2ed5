using Microsoft.AspNetCore.Http;
using Notifly.Grains.Storage;

namespace Notifly.Api.Http;

/// <summary>
/// Refuses a request whose path, query string or form fields carry text PostgreSQL cannot store
/// (a NUL, an unpaired surrogate: <see cref="StorableText"/>) with 400 VALIDATION_FAILED naming
/// the parameter, before any endpoint binds it to a statement. JSON bodies are checked where they
/// are read (<see cref="JsonBody"/>). Such a value used to reach a query's Bind and leave its
/// connection unusable for the next caller (docs/0018).
/// </summary>
public sealed class UnstorableTextGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        if (StorableText.Problem(context.Request.Path.Value) is { } pathProblem)
        {
            errors["path"] = [$"the path {pathProblem}"];
        }

        foreach (var (key, values) in context.Request.Query)
        {
            Check(errors, key, values);
        }

        if (context.Request.HasFormContentType)
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
                Check(errors, key, values);
            }
        }

        if (errors.Count > 0)
        {
            await Problems.Validation(errors).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static void Check(Dictionary<string, string[]> errors, string key, Microsoft.Extensions.Primitives.StringValues values)
    {
        var field = StorableText.IsStorable(key) ? key : "$";
        var problem = StorableText.Problem(key) is { } keyProblem
            ? $"a parameter name {keyProblem}"
            : values.Select(v => StorableText.Problem(v)).FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            errors[field] = [$"{field} {problem}"];
        }
    }
}
