using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Recipients;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Recipients;

/// <summary>
/// Recipient profiles and preferences inside a tenant scope: Row Level Security confines every
/// statement to the scope's tenant, so another tenant's user reads as absent. Preference changes
/// are audited in <c>admin_audit_logs</c>; the caller commits.
/// </summary>
public sealed class RecipientStore(TimeProvider time)
{
    public static async Task<RecipientProfile?> GetAsync(TenantScope scope, string userId, CancellationToken cancellationToken)
    {
        RecipientProfile? profile;
        await using (var command = scope.Command(
            "SELECT email, phone, push_tokens, webhook_url, locale, timezone FROM recipient_profiles WHERE user_id = $1").With(userId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            profile = await reader.ReadAsync(cancellationToken)
                ? new RecipientProfile(
                    reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetFieldValue<string[]>(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), UserId: userId)
                : null;
        }

        return profile is null ? null : profile with { Preferences = await PreferencesAsync(scope, userId, cancellationToken) };
    }

    /// <summary>
    /// A page of profiles (without preferences) in user-id order, after <paramref name="afterUserId"/>:
    /// a walk of the primary key, as cheap on the millionth user as on the first.
    /// </summary>
    public static async Task<Page<RecipientProfile>> ListAsync(
        TenantScope scope, string? afterUserId, int limit, CancellationToken cancellationToken)
    {
        var profiles = new List<RecipientProfile>(limit);
        await using (var command = scope.Command(
            """
            SELECT user_id, email, phone, push_tokens, webhook_url, locale, timezone FROM recipient_profiles
             WHERE tenant_id = $1 AND ($2::text IS NULL OR user_id > $2)
             ORDER BY user_id
             LIMIT $3
            """).With(scope.TenantId).With(afterUserId, NpgsqlTypes.NpgsqlDbType.Text).With(limit + 1))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                profiles.Add(new RecipientProfile(
                    reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetFieldValue<string[]>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), UserId: reader.GetString(0)));
            }
        }

        return profiles.Count > limit
            ? new Page<RecipientProfile>(profiles[..limit], profiles[limit - 1].UserId)
            : new Page<RecipientProfile>(profiles, null);
    }

    /// <summary>Creates or replaces the profile; true when it was created.</summary>
    public async Task<bool> PutAsync(TenantScope scope, string userId, RecipientProfile profile, string actor, CancellationToken cancellationToken)
    {
        bool created;
        await using (var command = scope.Command(
            """
            INSERT INTO recipient_profiles (tenant_id, user_id, email, phone, push_tokens, webhook_url, locale, timezone, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
            ON CONFLICT (tenant_id, user_id) DO UPDATE
               SET email = excluded.email, phone = excluded.phone, push_tokens = excluded.push_tokens,
                   webhook_url = excluded.webhook_url, locale = excluded.locale, timezone = excluded.timezone,
                   updated_at = excluded.updated_at
            RETURNING xmax = 0
            """).With(scope.TenantId).With(userId).With(profile.Email, NpgsqlTypes.NpgsqlDbType.Text)
                .With(profile.Phone, NpgsqlTypes.NpgsqlDbType.Text).With((profile.PushTokens ?? []).ToArray())
                .With(profile.WebhookUrl, NpgsqlTypes.NpgsqlDbType.Text).With(profile.Locale, NpgsqlTypes.NpgsqlDbType.Text)
                .With(profile.Timezone, NpgsqlTypes.NpgsqlDbType.Text).With(time.GetUtcNow()))
        {
            created = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        if (profile.Preferences is { } preferences)
        {
            await PutPreferencesAsync(scope, userId, preferences, actor, cancellationToken);
        }

        return created;
    }

    /// <summary>
    /// Takes a push token the provider called dead out of every profile of the scope's tenant
    /// that holds it, audited per profile (without the token itself); the caller commits.
    /// </summary>
    public async Task<int> RemovePushTokenAsync(TenantScope scope, string token, string reason, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            WITH changed AS (
                UPDATE recipient_profiles SET push_tokens = array_remove(push_tokens, $1), updated_at = $3
                 WHERE $1 = ANY(push_tokens)
                RETURNING tenant_id, user_id)
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            SELECT tenant_id, 'system:push', 'recipient.push_token_removed', 'recipient', user_id, jsonb_build_object('reason', $2::text)
              FROM changed
            """).With(token).With(reason).With(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the profile and the preferences; false when there was no profile.</summary>
    public static async Task<bool> DeleteAsync(TenantScope scope, string userId, string actor, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            WITH profile AS (DELETE FROM recipient_profiles WHERE user_id = $1 RETURNING tenant_id),
                 preferences AS (DELETE FROM user_channel_preferences WHERE user_id = $1)
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            SELECT tenant_id, $2, 'recipient.deleted', 'recipient', $1, '{}'::jsonb FROM profile
            """).With(userId).With(actor);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Replaces all of the user's preferences (validated by <see cref="RecipientValidator"/>), audited with before and after.</summary>
    public async Task<RecipientPreferences> PutPreferencesAsync(
        TenantScope scope, string userId, RecipientPreferences preferences, string actor, CancellationToken cancellationToken)
    {
        var before = await PreferencesAsync(scope, userId, cancellationToken);
        var rows = Rows(preferences).ToArray();
        // Two statements, not a DELETE in a CTE: the INSERT of one statement still sees the rows its
        // CTE deletes, so re-stating a preference that exists broke the unique key (a 500).
        await using (var delete = scope.Command("DELETE FROM user_channel_preferences WHERE user_id = $1").With(userId))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = scope.Command(
            """
            INSERT INTO user_channel_preferences (tenant_id, user_id, channel, event_type, is_enabled, updated_at)
            SELECT $1, $2, u.channel, u.event_type, u.is_enabled, $6
              FROM unnest($3::text[], $4::text[], $5::boolean[]) AS u(channel, event_type, is_enabled)
            """).With(scope.TenantId).With(userId).With(rows.Select(r => r.Channel).ToArray())
                .With(rows.Select(r => r.EventType).ToArray()).With(rows.Select(r => r.Enabled).ToArray()).With(time.GetUtcNow()))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(scope, actor, "recipient.preferences.updated", userId, new { before, after = preferences }, cancellationToken);
        return await PreferencesAsync(scope, userId, cancellationToken);
    }

    /// <summary>Turns one channel off for the user (for one event type, or all when it is empty), audited.</summary>
    public async Task OptOutAsync(
        TenantScope scope, string userId, Channel channel, string eventType, string actor, string source, CancellationToken cancellationToken)
    {
        await using (var command = scope.Command(
            """
            INSERT INTO user_channel_preferences (tenant_id, user_id, channel, event_type, is_enabled, source, updated_at)
            VALUES ($1, $2, $3, $4, false, $5, $6)
            ON CONFLICT (tenant_id, user_id, channel, event_type) DO UPDATE
               SET is_enabled = false, source = excluded.source, updated_at = excluded.updated_at
            """).With(scope.TenantId).With(userId).With(channel.Name()).With(eventType).With(source).With(time.GetUtcNow()))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(scope, actor, "recipient.opted_out", userId,
            new { channel = channel.Name(), eventType = eventType.Length == 0 ? null : eventType, source }, cancellationToken);
    }

    public static async Task<RecipientPreferences> PreferencesAsync(TenantScope scope, string userId, CancellationToken cancellationToken)
    {
        var channels = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        var eventTypes = new SortedDictionary<string, IReadOnlyDictionary<string, bool>>(StringComparer.Ordinal);
        await using var command = scope.Command(
            "SELECT channel, event_type, is_enabled FROM user_channel_preferences WHERE user_id = $1").With(userId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (channel, eventType, enabled) = (reader.GetString(0), reader.GetString(1), reader.GetBoolean(2));
            if (eventType.Length == 0)
            {
                channels[channel] = enabled;
                continue;
            }

            if (!eventTypes.TryGetValue(eventType, out var map))
            {
                eventTypes[eventType] = map = new SortedDictionary<string, bool>(StringComparer.Ordinal);
            }

            ((SortedDictionary<string, bool>)map)[channel] = enabled;
        }

        return new RecipientPreferences(channels, eventTypes);
    }

    private static IEnumerable<(string Channel, string EventType, bool Enabled)> Rows(RecipientPreferences preferences)
    {
        foreach (var (channel, enabled) in preferences.Channels ?? new Dictionary<string, bool>())
        {
            yield return (channel.ToUpperInvariant(), "", enabled);
        }

        foreach (var (eventType, map) in preferences.EventTypes ?? new Dictionary<string, IReadOnlyDictionary<string, bool>>())
        {
            foreach (var (channel, enabled) in map)
            {
                yield return (channel.ToUpperInvariant(), eventType.Trim(), enabled);
            }
        }
    }

    private static async Task AuditAsync(TenantScope scope, string actor, string action, string userId, object changes, CancellationToken cancellationToken)
    {
        await using var audit = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, $3, 'recipient', $4, $5::jsonb)
            """).With(scope.TenantId).With(actor).With(action).With(userId).With(JsonSerializer.Serialize(changes, Json.Options));
        await audit.ExecuteNonQueryAsync(cancellationToken);
    }
}
