using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Recipients;

/// <summary>
/// Makes and honours one-click unsubscribe links (RFC 8058). A tenant's key never changes, so it
/// is read once per node and kept: the email sender pays no query per message after the first.
/// </summary>
public sealed class UnsubscribeLinks(Database database, RecipientStore store, IOptions<RecipientsOptions> options)
{
    public const string Actor = "one-click-unsubscribe";

    private readonly ConcurrentDictionary<Guid, byte[]> _keys = new();

    /// <summary>The link for an email to <paramref name="userId"/>; unsubscribing opts the user out of this event type's emails.</summary>
    public async Task<string?> LinkAsync(Guid tenantId, string userId, string eventType, CancellationToken cancellationToken)
    {
        if (await KeyAsync(tenantId, cancellationToken) is not { } key)
        {
            return null;
        }

        var token = new UnsubscribeToken(tenantId, userId, Channel.Email, eventType).Sign(key);
        return $"{options.Value.PublicBaseUrl.TrimEnd('/')}/u/{token}";
    }

    /// <summary>
    /// The RFC 8058 one-click headers for an email to a named user, for every email sender to add
    /// as it is; none without a user (nobody to opt out) or without <paramref name="links"/> (unit tests).
    /// </summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> HeadersAsync(
        UnsubscribeLinks? links, SendWork work, CancellationToken cancellationToken)
    {
        if (links is null || work.UserId is null
            || await links.LinkAsync(work.TenantId, work.UserId, work.EventType, cancellationToken) is not { } link)
        {
            return [];
        }

        return [new("List-Unsubscribe", $"<{link}>"), new("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")];
    }

    /// <summary>Records the opt-out a token names; false (and nothing changed) when the token is not one we signed.</summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken cancellationToken)
    {
        if (UnsubscribeToken.Read(token) is not { } read || await KeyAsync(read.TenantId, cancellationToken) is not { } key || !read.Verify(token, key))
        {
            return false;
        }

        await using var scope = await database.BeginTenantScopeAsync(read.TenantId, null, cancellationToken);
        await store.OptOutAsync(scope, read.UserId, read.Channel, read.EventType, Actor, "ONE_CLICK", cancellationToken);
        await scope.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<byte[]?> KeyAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (_keys.TryGetValue(tenantId, out var cached))
        {
            return cached;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT unsubscribe_key FROM tenants WHERE id = $1", connection).With(tenantId);
        if (await command.ExecuteScalarAsync(cancellationToken) is byte[] key)
        {
            _keys[tenantId] = key;
            return key;
        }

        return null;
    }
}
