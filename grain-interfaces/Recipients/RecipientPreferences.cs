namespace Notifly.GrainInterfaces.Recipients;

/// <summary>
/// Body of <c>PUT /api/recipients/{userId}/preferences</c>: channel name → on/off, for every event
/// type (<see cref="Channels"/>) and per event type (<see cref="EventTypes"/>, which wins over
/// the channel-wide setting). A channel not named is on. A PUT replaces all of the user's preferences.
/// </summary>
public sealed record RecipientPreferences(
    IReadOnlyDictionary<string, bool>? Channels = null,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, bool>>? EventTypes = null);
