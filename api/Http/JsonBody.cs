using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Grains.Storage;

namespace Notifly.Api.Http;

/// <summary>
/// Reads a JSON request body ourselves rather than through parameter binding, so that every
/// malformed body gets our problem detail (with the JSON path at fault) instead of a bare 400.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "The body must be JSON.", "Send 'Content-Type: application/json'."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json.Options, cancellationToken);
            return value is null
                ? (null, Problems.Validation("$", "the body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
            var message = ex.InnerException is null && ex.Path is not null && ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? $"{field} has an invalid value (unknown name or wrong type)."
                : $"malformed JSON at {field}: {ex.Message.Split(" Path:")[0]}";
            return (null, Problems.Validation(field, message));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                "The request body is too large.", ex.Message));
        }
    }
}
