using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Notifly.Grains.Storage;

/// <summary>
/// Finds text that PostgreSQL cannot store before it reaches a statement: a NUL character (text
/// and jsonb refuse U+0000, as a raw byte or as the escape <c>\u0000</c>), a lone UTF-16 surrogate
/// (no UTF-8 form exists, so the driver cannot even send it) and bytes that are not UTF-8.
/// </summary>
/// <remarks>
/// Such text used to reach the group commit and fail the whole transaction, taking every other
/// request of the batch, other tenants' included, down with it. System.Text.Json does not check
/// the UTF-8 of string contents while reading tokens (only when a string is made), and a
/// <see cref="JsonElement"/> keeps its raw bytes, so a payload passes deserialisation untouched:
/// hence one pass over every string and property name of a body, at UTF-8 validation speed.
/// </remarks>
public static class StorableText
{
    /// <summary>Why <paramref name="value"/> cannot be stored, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<char> value)
    {
        if (value.IndexOf('\0') >= 0)
        {
            return "contains a NUL character (U+0000), which cannot be stored.";
        }

        // Cheap first: most text has no surrogate at all.
        if (value.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return null;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return "contains an unpaired UTF-16 surrogate, which is not valid Unicode.";
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="value"/> is null or can be stored.</summary>
    public static bool IsStorable(string? value) => value is null || Problem(value) is null;

    /// <summary>
    /// Every string and property name of a JSON document that cannot be stored, with its JSON path
    /// (<c>$.payload.name</c>, <c>$.notifications[3].subject</c>), in document order; at most
    /// <paramref name="max"/> of them. Empty when all can be stored. A document that is not
    /// well-formed JSON yields what was found before the fault: the deserialiser reports that fault.
    /// </summary>
    public static IReadOnlyList<(string Path, string Problem)> FindInJson(ReadOnlySequence<byte> utf8Json, int max = 100)
    {
        // This runs for every request: the first pass allocates nothing, and paths are worked out
        // only for a body that has something to report.
        var check = new Utf8JsonReader(utf8Json);
        if (AllStorable(ref check))
        {
            return [];
        }

        var reader = new Utf8JsonReader(utf8Json);
        return Find(ref reader, max);
    }

    /// <inheritdoc cref="FindInJson(ReadOnlySequence{byte}, int)"/>
    public static IReadOnlyList<(string Path, string Problem)> FindInJson(ReadOnlyMemory<byte> utf8Json, int max = 100) =>
        FindInJson(new ReadOnlySequence<byte>(utf8Json), max);

    private static bool AllStorable(ref Utf8JsonReader reader)
    {
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && Check(ref reader) is not null)
                {
                    return false;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: the second pass reports what precedes the fault, the deserialiser the fault.
            return false;
        }

        return true;
    }

    private static IReadOnlyList<(string Path, string Problem)> Find(ref Utf8JsonReader reader, int max)
    {
        List<(string, string)>? found = null;
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Open(reader.TokenType == JsonTokenType.StartArray);
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.Close();
                        continue;
                    case JsonTokenType.PropertyName:
                        var nameProblem = Check(ref reader);
                        path.Property(nameProblem is null ? reader.GetString()! : null);
                        if (nameProblem is not null)
                        {
                            (found ??= []).Add((path.ToString(), "a property name " + nameProblem));
                        }

                        continue;
                    case JsonTokenType.String:
                        path.Value();
                        if (Check(ref reader) is { } problem)
                        {
                            (found ??= []).Add((path.ToString(), problem));
                        }

                        break;
                    default:
                        path.Value();
                        break;
                }

                if (found?.Count >= max)
                {
                    break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: the deserialiser that runs next names the fault and its place.
        }

        return found ?? (IReadOnlyList<(string, string)>)[];
    }

    private static string? Check(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // Raw control characters, NUL included, are malformed JSON and never get here; only the encoding is left to check.
            var valid = reader.HasValueSequence ? IsUtf8(reader.ValueSequence) : Utf8.IsValid(reader.ValueSpan);
            return valid ? null : "is not valid UTF-8.";
        }

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Unescaping found invalid UTF-8 or a \uD800-style escape without its pair.
            return "is not valid Unicode (invalid UTF-8 or an unpaired surrogate escape).";
        }

        return Problem(value);
    }

    private static bool IsUtf8(ReadOnlySequence<byte> value)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        try
        {
            foreach (var segment in value)
            {
                decoder.GetCharCount(segment.Span, flush: false);
            }

            decoder.GetCharCount([], flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
