namespace Notifly.GrainInterfaces.Recipients;

/// <summary>
/// Body of <c>PUT /api/recipients/{userId}</c> and answer of its GET: where a tenant's user is
/// reached, so a send can name only <c>userId</c>. A PUT replaces the profile whole; with
/// <see cref="Preferences"/> it replaces the preferences too, without it they stay.
/// </summary>
public sealed record RecipientProfile(
    string? Email = null,
    string? Phone = null,
    IReadOnlyList<string>? PushTokens = null,
    string? WebhookUrl = null,
    string? Locale = null,
    string? Timezone = null,
    RecipientPreferences? Preferences = null,
    string? UserId = null);
