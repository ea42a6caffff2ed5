using Notifly.Grains.Queries;

namespace Notifly.Api.Http;

/// <summary>
/// The <c>limit</c> and <c>cursor</c> every list takes, read one way at the edge: a limit out of
/// range or a cursor this list did not issue is an error naming the parameter, so the query
/// layer only ever sees a position the API handed out.
/// </summary>
public static class ListQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>Adds to <paramref name="errors"/> what is wrong; the values are meaningful only when nothing was added.</summary>
    public static (int Limit, PageCursor? After) Read(int? limit, string? cursor, PagedList list, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be a whole number 1–{MaxLimit}."];
        }

        PageCursor? after = null;
        if (cursor is not null)
        {
            if (PageCursor.TryParse(cursor, list, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors["cursor"] = ["cursor is not one this list returned; pass its nextCursor back unchanged."];
            }
        }

        return (limit ?? DefaultLimit, after);
    }
}
