using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;

namespace Notifly.Grains.Intake;

/// <summary>
/// Validates a notification request the same way for every entry point (REST, batch, Kafka)
/// and collects every problem, not just the first, keyed by the JSON field at fault.
/// </summary>
public static partial class RequestValidator
{
    /// <param name="fallbackOrder">
    /// The tenant's fallback order for the request's event type, if any: a request naming no
    /// channels then gets that chain, less the channels its recipient has no address for
    /// (docs/0008). Channels the deployment has not enabled stay in the chain and fail at their
    /// turn with CHANNEL_DISABLED, handing over to the next.
    /// </param>
    public static Validation Validate(
        SendNotificationRequest request, string? headerIdempotencyKey, ISet<Channel> enabledChannels, DateTimeOffset now,
        IReadOnlyList<Channel>? fallbackOrder = null)
    {
        var errors = new Dictionary<string, List<string>>();
        var channelDisabled = false;
        void Fail(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var eventType = request.EventType?.Trim();
        if (string.IsNullOrEmpty(eventType))
        {
            Fail("eventType", "eventType is required.");
        }
        else if (eventType.Length > IntakeLimits.MaxEventTypeLength || !EventTypePattern().IsMatch(eventType))
        {
            Fail("eventType", $"eventType must be 1–{IntakeLimits.MaxEventTypeLength} characters of letters, digits and . _ : -");
        }

        string? payloadJson = null;
        if (request.Payload is not { ValueKind: JsonValueKind.Object } payload)
        {
            Fail("payload", "payload is required and must be a JSON object.");
        }
        else
        {
            payloadJson = payload.GetRawText();
            if (Encoding.UTF8.GetByteCount(payloadJson) > IntakeLimits.MaxPayloadBytes)
            {
                Fail("payload", $"payload must not exceed {IntakeLimits.MaxPayloadBytes} bytes.");
            }
        }

        var recipient = request.Recipient ?? new Recipient();
        var fallback = request.Channels is not { Count: > 0 } && fallbackOrder is { Count: > 0 };
        var channels = request.Channels is { Count: > 0 } explicitChannels
            ? explicitChannels.Distinct().ToArray()
            : fallback ? fallbackOrder!.Where(c => HasAddress(recipient, c)).ToArray() : InferChannels(recipient);
        Channel[] unaddressed = fallback ? [.. fallbackOrder!.Except(channels)] : [];
        if (channels.Length == 0)
        {
            Fail("channels", fallback
                ? $"the recipient has no address for any channel of the event type's fallback order ({string.Join(", ", fallbackOrder!.Select(c => c.Name()))})."
                : "channels is required (e.g. [\"EMAIL\", \"WEBHOOK\"]) unless the recipient names an address to infer it from.");
        }

        foreach (var channel in channels)
        {
            if (!fallback && !enabledChannels.Contains(channel))
            {
                Fail("channels", $"channel {channel.Name()} is not enabled.");
                channelDisabled = true;
                continue;
            }

            switch (channel)
            {
                case Channel.Email when !IsEmail(recipient.Email):
                    Fail("recipient.email", "a valid recipient.email is required for the EMAIL channel.");
                    break;
                case Channel.Webhook when !IsHttpUrl(recipient.WebhookUrl):
                    Fail("recipient.webhookUrl", "an absolute http(s) recipient.webhookUrl is required for the WEBHOOK channel.");
                    break;
                case Channel.Sms when recipient.Phone is null || !PhonePattern().IsMatch(recipient.Phone):
                    Fail("recipient.phone", "an E.164 recipient.phone (e.g. +15551234567, or whatsapp:+15551234567) is required for the SMS channel.");
                    break;
                case Channel.Push when string.IsNullOrWhiteSpace(recipient.PushToken):
                    Fail("recipient.pushToken", "recipient.pushToken is required for the PUSH channel.");
                    break;
            }
        }

        CheckLength("userId", request.UserId, IntakeLimits.MaxUserIdLength, Fail);
        CheckLength("subject", request.Subject, IntakeLimits.MaxSubjectLength, Fail);
        CheckLength("body", request.Body, IntakeLimits.MaxBodyLength, Fail);

        var key = request.IdempotencyKey ?? headerIdempotencyKey;
        if (request.IdempotencyKey is not null && headerIdempotencyKey is not null && request.IdempotencyKey != headerIdempotencyKey)
        {
            Fail("idempotencyKey", "the Idempotency-Key header and the idempotencyKey field differ.");
        }
        else if (key is not null && (key.Length == 0 || key.Length > IntakeLimits.MaxIdempotencyKeyLength))
        {
            Fail("idempotencyKey", $"idempotencyKey must be 1–{IntakeLimits.MaxIdempotencyKeyLength} characters.");
        }

        if (request.SendAt is { } sendAt && (sendAt - now > IntakeLimits.MaxScheduleAhead || now - sendAt > IntakeLimits.MaxScheduleBehind))
        {
            Fail("sendAt", "sendAt must lie between 24 hours ago and 366 days from now (a time in the past sends at once).");
        }

        if (request.ExpiresAt is { } expiresAt)
        {
            if (expiresAt <= now)
            {
                Fail("expiresAt", "expiresAt must lie in the future.");
            }
            else if (expiresAt - now > IntakeLimits.MaxScheduleAhead + IntakeLimits.MaxExpiryAfterSend)
            {
                Fail("expiresAt", "expiresAt must lie within 396 days from now.");
            }
            else if (request.SendAt is { } at && expiresAt <= at)
            {
                Fail("expiresAt", "expiresAt must come after sendAt.");
            }
        }

        var template = ValidateTemplate(request, channels, Fail);

        if (errors.Count > 0)
        {
            var code = channelDisabled && errors.Count == 1 ? "CHANNEL_DISABLED" : "VALIDATION_FAILED";
            return new Validation(null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), code);
        }

        var validated = new ValidatedRequest(
            eventType!, payloadJson!, channels, recipient, request.UserId, request.Subject, request.Body,
            request.Priority ?? Priority.Normal, request.SendAt?.ToUniversalTime(), key, [], template, fallback, unaddressed,
            ExpiresAt: request.ExpiresAt?.ToUniversalTime());
        return new Validation(validated with { PayloadHash = Hash(validated) }, new Dictionary<string, string[]>(), null);
    }

    /// <summary>
    /// Idempotency compares what the request asks for, not its bytes: the hash covers every
    /// field that changes the notification, with the payload re-serialised compactly.
    /// </summary>
    private static byte[] Hash(ValidatedRequest r)
    {
        using var payload = JsonDocument.Parse(r.PayloadJson);
        var canonical = JsonSerializer.Serialize(new
        {
            r.EventType,
            Payload = payload.RootElement,
            Channels = r.Channels.Select(c => c.Name()),
            r.Recipient,
            r.UserId,
            r.Subject,
            r.Body,
            r.Priority,
            r.SendAt,
            r.Template,
        }, Json.Options);

        // Appended only when set, so a request without it hashes as it did before expiresAt existed.
        if (r.ExpiresAt is { } expiresAt)
        {
            canonical += "\nexpiresAt=" + expiresAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
    }

    private static TemplateReference? ValidateTemplate(SendNotificationRequest request, Channel[] channels, Action<string, string> fail)
    {
        if (request.Template is null)
        {
            if (request.TemplateVersion is not null) fail("templateVersion", "templateVersion needs a template.");
            if (request.Locale is not null) fail("locale", "locale needs a template.");
            return null;
        }

        var name = request.Template.Trim();
        if (!TemplateNames.IsValid(name)) fail("template", TemplateNames.Rule);
        if (request.TemplateVersion is < 1) fail("templateVersion", "templateVersion must be 1 or more.");
        if (!LocaleFallback.IsValid(request.Locale)) fail("locale", "locale must be a language tag such as \"fr\" or \"fr-CA\".");
        if (request.Subject is not null || request.Body is not null)
        {
            fail("template", "subject and body come from the template; send them without one, or the template without them.");
        }

        // The notification stores one subject and body (the dispatcher reads them for every
        // channel), so a template request renders for exactly one channel (docs/0007).
        if (channels.Length > 1)
        {
            fail("channels", "a request with a template names exactly one channel.");
        }

        return new TemplateReference(name, request.TemplateVersion, request.Locale is null ? null : LocaleFallback.Normalize(request.Locale));
    }

    private static Channel[] InferChannels(Recipient r)
    {
        var inferred = new List<Channel>();
        if (r.Email is not null) inferred.Add(Channel.Email);
        if (r.Phone is not null) inferred.Add(Channel.Sms);
        if (r.PushToken is not null) inferred.Add(Channel.Push);
        if (r.WebhookUrl is not null) inferred.Add(Channel.Webhook);
        return [.. inferred];
    }

    private static bool HasAddress(Recipient r, Channel c) => c switch
    {
        Channel.Email => r.Email is not null,
        Channel.Sms => r.Phone is not null,
        Channel.Push => r.PushToken is not null,
        Channel.Webhook => r.WebhookUrl is not null,
        _ => false,
    };

    private static void CheckLength(string field, string? value, int max, Action<string, string> fail)
    {
        if (value is not null && value.Length > max)
        {
            fail(field, $"{field} must not exceed {max} characters.");
        }
    }

    internal static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 320 && MailAddress.TryCreate(value, out var address) && address.Address == value.Trim();

    internal static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]+$")]
    internal static partial Regex EventTypePattern();

    // E.164; "whatsapp:+…" sends the same number through WhatsApp (Twilio's address form, docs/0012).
    [GeneratedRegex(@"^(whatsapp:)?\+[1-9][0-9]{6,14}$")]
    internal static partial Regex PhonePattern();
}
