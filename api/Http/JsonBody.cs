using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Grains.Storage;

namespace Notifly.Api.Http;

/// <summary>
/// Reads a JSON request body ourselves rather than through parameter binding, so that every
/// malformed body gets our problem detail (with the JSON path at fault) instead of a bare 400,
/// and text PostgreSQL cannot store (<see cref="StorableText"/>) is refused before anything runs.
/// </summary>
public static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>, or the problem that refuses it: 415, 413, or 400 naming every field at fault.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var (value, unstorable, problem) = await ReadAsync<T>(request, refuseUnstorable: true, cancellationToken);
        return (value, problem ?? (unstorable.Count > 0 ? Unstorable(unstorable) : null));
    }

    /// <summary>
    /// As <see cref="ReadAsync{T}(HttpRequest, CancellationToken)"/>, but text that cannot be stored
    /// is handed back rather than refused, for a caller that answers per item (the batch); the
    /// value is then read as far as it goes, so <typeparamref name="T"/> should keep such items as
    /// <see cref="JsonElement"/>s.
    /// </summary>
    public static Task<(T? Value, IReadOnlyList<(string Path, string Problem)> Unstorable, ProblemHttpResult? Problem)> ReadLenientAsync<T>(
        HttpRequest request, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync<T>(request, refuseUnstorable: false, cancellationToken);

    /// <summary>400 VALIDATION_FAILED with each unstorable string keyed by its JSON path.</summary>
    public static ProblemHttpResult Unstorable(IReadOnlyList<(string Path, string Problem)> unstorable) =>
        Problems.Validation(unstorable.GroupBy(u => u.Path).ToDictionary(g => g.Key, g => g.Select(u => $"{u.Path} {u.Problem}").ToArray()));

    private static async Task<(T? Value, IReadOnlyList<(string Path, string Problem)> Unstorable, ProblemHttpResult? Problem)> ReadAsync<T>(
        HttpRequest request, bool refuseUnstorable, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, [], Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "The body must be JSON.", "Send 'Content-Type: application/json'."));
        }

        ReadResult body;
        try
        {
            body = await ReadToEndAsync(request.BodyReader, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, [], Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                "The request body is too large.", ex.Message));
        }

        try
        {
            // The whole body is in memory already (Kestrel's buffers, up to the size limit): both
            // passes read it in place, and the text check costs about what a UTF-8 validation does.
            var unstorable = StorableText.FindInJson(body.Buffer);
            if (refuseUnstorable && unstorable.Count > 0)
            {
                return (null, unstorable, null);
            }

            return (Deserialize<T>(body.Buffer, out var problem), unstorable, problem);
        }
        finally
        {
            request.BodyReader.AdvanceTo(body.Buffer.End);
        }
    }

    private static T? Deserialize<T>(ReadOnlySequence<byte> body, out ProblemHttpResult? problem)
        where T : class
    {
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            var value = JsonSerializer.Deserialize<T>(ref reader, Json.Options);
            if (value is null)
            {
                problem = Problems.Validation("$", "the body must be a JSON object.");
            }
            else if (reader.Read())
            {
                // Deserialising from a reader stops after one value; anything after it is not ours to ignore.
                problem = Problems.Validation("$", "malformed JSON: the body holds more than one JSON value.");
                value = null;
            }

            return value;
        }
        catch (JsonException ex)
        {
            var (field, message) = Fault(ex);
            problem = Problems.Validation(field, message);
            return null;
        }
    }

    /// <summary>The field a deserialisation error names, and what to tell the client about it.</summary>
    public static (string Field, string Message) Fault(JsonException exception)
    {
        var field = string.IsNullOrEmpty(exception.Path) ? "$" : exception.Path;
        var message = exception.InnerException is null && exception.Path is not null
            && exception.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? $"{field} has an invalid value (unknown name or wrong type)."
            : $"malformed JSON at {field}: {exception.Message.Split(" Path:")[0]}";
        return (field, message);
    }

    private static async ValueTask<ReadResult> ReadToEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted || result.IsCanceled)
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End); // keep everything, ask for more
        }
    }
}
