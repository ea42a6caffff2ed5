using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Grains.Queries;

/// <summary>Cuts rows read with <c>LIMIT limit + 1</c> into a page: the extra row only says a next page exists.</summary>
public static class KeysetPage
{
    public static Page<T> Of<T>(List<T> rows, int limit, PagedList list, Func<T, PageCursor> positionOf)
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return new Page<T>(rows, positionOf(rows[^1]).Encode(list));
    }
}
