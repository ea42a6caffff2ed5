using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;
using NpgsqlTypes;

namespace Notifly.Grains.Recipients;

/// <summary>
/// Fills a send's missing addresses from the user's profile before it is validated (docs/0009).
/// Only a request that names a userId and lacks an address it needs costs a query: one for all
/// such requests of a REST batch. Addresses in the request always win.
/// </summary>
public sealed class RecipientIntake(Database database)
{
    public async Task<IReadOnlyList<SendNotificationRequest?>> FillAsync(
        Guid tenantId, IReadOnlyList<SendNotificationRequest?> requests, CancellationToken cancellationToken)
    {
        var userIds = requests.Where(NeedsProfile).Select(r => r!.UserId!).Distinct(StringComparer.Ordinal).ToArray();
        if (userIds.Length == 0)
        {
            return requests;
        }

        var profiles = new Dictionary<string, (Recipient Recipient, string? Locale)>(StringComparer.Ordinal);
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new Npgsql.NpgsqlCommand(
            """
            SELECT user_id, email, phone, push_tokens[1], webhook_url, locale
              FROM recipient_profiles WHERE tenant_id = $1 AND user_id = ANY($2)
            """, connection).With(tenantId).With(userIds, NpgsqlDbType.Array | NpgsqlDbType.Text))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                profiles[reader.GetString(0)] = (new Recipient(Text(1), Text(2), Text(3), Text(4)), Text(5));
            }
        }

        return requests.Select(r => r is not null && NeedsProfile(r) && profiles.TryGetValue(r.UserId!, out var p) ? Merge(r, p.Recipient, p.Locale) : r)
            .ToArray();
    }

    /// <summary>
    /// A request with every address its channels need is taken as it is, so existing clients that
    /// send a userId alongside full addresses pay no lookup. Without channels, only a request that
    /// names no address at all takes them (and the channels inferred from them) from the profile.
    /// </summary>
    public static bool NeedsProfile(SendNotificationRequest? r)
    {
        if (r?.UserId is null)
        {
            return false;
        }

        var recipient = r.Recipient ?? new Recipient();
        return r.Channels is { Count: > 0 } channels
            ? channels.Any(c => Address(recipient, c) is null)
            : recipient == new Recipient();
    }

    private static SendNotificationRequest Merge(SendNotificationRequest r, Recipient profile, string? locale)
    {
        var explicitRecipient = r.Recipient ?? new Recipient();
        var merged = new Recipient(
            explicitRecipient.Email ?? profile.Email,
            explicitRecipient.Phone ?? profile.Phone,
            explicitRecipient.PushToken ?? profile.PushToken,
            explicitRecipient.WebhookUrl ?? profile.WebhookUrl);
        return r with { Recipient = merged, Locale = r.Template is not null ? r.Locale ?? locale : r.Locale };
    }

    private static string? Address(Recipient r, Channel c) => c switch
    {
        Channel.Email => r.Email,
        Channel.Sms => r.Phone,
        Channel.Push => r.PushToken,
        Channel.Webhook => r.WebhookUrl,
        _ => null,
    };
}
