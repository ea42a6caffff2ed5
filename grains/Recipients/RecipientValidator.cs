using Notifly.GrainInterfaces.Recipients;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;

namespace Notifly.Grains.Recipients;

/// <summary>Checks a profile or preferences body the way the send validator checks addresses, every problem keyed by its field.</summary>
public static class RecipientValidator
{
    public const int MaxPushTokens = 10;

    public static Dictionary<string, string[]> ValidateUserId(string userId)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > IntakeLimits.MaxUserIdLength)
        {
            errors["userId"] = [$"userId must be 1–{IntakeLimits.MaxUserIdLength} characters."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Validate(string userId, RecipientProfile profile)
    {
        var errors = ValidateUserId(userId);
        if (profile.Email is not null && !RequestValidator.IsEmail(profile.Email)) errors["email"] = ["email must be a valid address."];
        if (profile.Phone is not null && !RequestValidator.PhonePattern().IsMatch(profile.Phone))
        {
            errors["phone"] = ["phone must be E.164 (e.g. +15551234567)."];
        }

        if (profile.PushTokens is { } tokens && (tokens.Count > MaxPushTokens || tokens.Any(string.IsNullOrWhiteSpace)))
        {
            errors["pushTokens"] = [$"pushTokens holds at most {MaxPushTokens} non-empty tokens."];
        }

        if (profile.WebhookUrl is not null && !RequestValidator.IsHttpUrl(profile.WebhookUrl))
        {
            errors["webhookUrl"] = ["webhookUrl must be an absolute http(s) URL."];
        }

        if (profile.Locale is not null && !LocaleFallback.IsValid(profile.Locale)) errors["locale"] = ["locale must be a language tag such as \"fr\" or \"fr-CA\"."];
        if (profile.Timezone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(profile.Timezone, out _))
        {
            errors["timezone"] = ["timezone must be an IANA time zone such as \"Europe/Paris\"."];
        }

        if (profile.Preferences is { } preferences)
        {
            foreach (var (field, messages) in Validate(preferences)) errors[$"preferences.{field}"] = messages;
        }

        return errors;
    }

    public static Dictionary<string, string[]> Validate(RecipientPreferences preferences)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var channel in (preferences.Channels ?? new Dictionary<string, bool>()).Keys)
        {
            if (!Wire.TryParseChannel(channel.ToUpperInvariant(), out _)) errors[$"channels.{channel}"] = [$"unknown channel '{channel}'."];
        }

        foreach (var (eventType, map) in preferences.EventTypes ?? new Dictionary<string, IReadOnlyDictionary<string, bool>>())
        {
            var trimmed = eventType.Trim();
            if (trimmed.Length is 0 or > IntakeLimits.MaxEventTypeLength || !RequestValidator.EventTypePattern().IsMatch(trimmed))
            {
                errors[$"eventTypes.{eventType}"] = ["event types are 1–" + IntakeLimits.MaxEventTypeLength + " characters of letters, digits and . _ : -"];
            }

            foreach (var channel in (map ?? new Dictionary<string, bool>()).Keys)
            {
                if (!Wire.TryParseChannel(channel.ToUpperInvariant(), out _)) errors[$"eventTypes.{eventType}.{channel}"] = [$"unknown channel '{channel}'."];
            }
        }

        return errors;
    }
}
