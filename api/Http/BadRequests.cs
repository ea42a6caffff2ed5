using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Notifly.Api.Http;

/// <summary>
/// The problem for a <see cref="BadHttpRequestException"/>: Kestrel's (body too large or too
/// slow) and the framework's parameter-binding failures, which throw because the API sets
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c>. A binding failure becomes VALIDATION_FAILED with
/// <c>errors</c> keyed by the parameter, as our own checks answer, whichever endpoint it hit.
/// </summary>
public static partial class BadRequests
{
    public static ProblemHttpResult ToProblem(HttpContext context, BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status400BadRequest && ParameterName(exception.Message) is { } name)
        {
            return Problems.Validation(name, $"{name} {Expected(ParameterType(context, name))}.");
        }

        return Problems.Create(exception.StatusCode, StatusCodeProblems.CodeFor(exception.StatusCode),
            "The request could not be read.", exception.Message);
    }

    // The exception names the parameter only in its message, e.g.
    // 'Failed to bind parameter "int? limit" from "abc".' or 'Required parameter "Guid id" was not provided …'.
    // The type may hold spaces (generic arguments); the name never does.
    [GeneratedRegex("parameter \"[^\"]+ (?<name>[^\" ]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    private static string? ParameterName(string message) =>
        ParameterPattern().Match(message) is { Success: true } match ? match.Groups["name"].Value : null;

    /// <summary>The handler's declared type, from the method the endpoint was mapped with.</summary>
    private static Type? ParameterType(HttpContext context, string name)
    {
        // The exception handler has already cleared the endpoint from the context; its feature keeps it.
        var endpoint = context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();
        var parameter = endpoint?.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
            .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
        return parameter is null ? null : Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
    }

    private static string Expected(Type? type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "must be a whole number",
        _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "must be a number",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "must be an ISO 8601 date-time, e.g. 2026-01-31T09:30:00Z",
        _ when type == typeof(Guid) => "must be a UUID",
        _ when type == typeof(bool) => "must be true or false",
        { IsEnum: true } => $"must be one of {string.Join(", ", Enum.GetNames(type))}",
        _ => "is not valid",
    };
}
