using System.Globalization;
using System.Text.Json;
using Notifly.Api.Http;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;

namespace Notifly.Api.Notifications;

/// <summary>
/// How <c>POST /api/notifications/batch</c> reads its body (documented as <see cref="BatchSendRequest"/>):
/// the items stay JSON until each is read on its own, so that a wrong value or unstorable text in
/// one item refuses that item alone.
/// </summary>
public sealed record BatchEnvelope(IReadOnlyList<JsonElement>? Notifications)
{
    private const string ItemsPrefix = "$.notifications[";

    /// <summary>The first <paramref name="count"/> items as requests, or each one's refusal.</summary>
    public static (SendNotificationRequest? Request, Validation? Refusal)[] ReadItems(
        IReadOnlyList<JsonElement> items, int count, IReadOnlyList<(string Path, string Problem)> unstorable)
    {
        var refusedText = unstorable.ToLookup(u => ItemIndex(u.Path)!.Value);
        var read = new (SendNotificationRequest?, Validation?)[count];
        for (var i = 0; i < count; i++)
        {
            if (refusedText.Contains(i))
            {
                read[i] = (null, Refusal(refusedText[i].GroupBy(u => ItemField(u.Path))
                    .ToDictionary(g => g.Key, g => g.Select(u => $"{g.Key} {u.Problem}").ToArray())));
                continue;
            }

            try
            {
                read[i] = (items[i].Deserialize<SendNotificationRequest>(Json.Options), null);
            }
            catch (JsonException ex)
            {
                var (field, message) = JsonBody.Fault(ex);
                read[i] = (null, Refusal(new Dictionary<string, string[]> { [field] = [message] }));
            }
        }

        return read;
    }

    /// <summary>The item a path of the whole body points into (<c>$.notifications[3].subject</c> → 3), or null.</summary>
    public static int? ItemIndex(string path)
    {
        if (!path.StartsWith(ItemsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = path.IndexOf(']', ItemsPrefix.Length);
        return end > 0 && int.TryParse(path.AsSpan(ItemsPrefix.Length, end - ItemsPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;
    }

    // The path within the item, as a single request's errors name it: $.notifications[3].subject → $.subject.
    private static string ItemField(string path) => "$" + path[(path.IndexOf(']', StringComparison.Ordinal) + 1)..];

    private static Validation Refusal(Dictionary<string, string[]> errors) => new(null, errors, ErrorCodes.ValidationFailed);
}
