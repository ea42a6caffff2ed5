using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Notifly.GrainInterfaces.Kafka;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Recipients;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// Turns the bytes of a <c>notification.requested</c> message into a REST-shaped request and runs
/// the same <see cref="RequestValidator"/> as <c>POST /api/notifications</c>, so a request is
/// refused for the same reasons, with the same codes, whichever way it came in.
/// </summary>
public static class RequestedMessageParser
{
    private const int MaxErrorMessageLength = 1000;

    /// <param name="fallbackFor">
    /// The tenant's fallback order for an event type (turned-off channels left out), asked only
    /// for a request that names no channel: a lookup over the per-node policy cache, so parsing
    /// stays synchronous and a request with its channels pays nothing for it.
    /// </param>
    public static ParsedRequest Parse(
        byte[]? value, Headers? headers, ISet<Channel> enabledChannels, DateTimeOffset now,
        Func<Guid, string, IReadOnlyList<Channel>?>? fallbackFor = null)
    {
        Guid? headerTenant = null;
        if (headers is not null && headers.TryGetLastBytes(KafkaHeaders.TenantId, out var tenantBytes))
        {
            if (!Guid.TryParse(Encoding.UTF8.GetString(tenantBytes), out var parsed))
            {
                return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "the tenant-id header is not a tenant id (UUID).");
            }

            headerTenant = parsed;
        }

        if (value is not null && StorableText.FindInJson(value, max: 1) is [var (path, problem), ..])
        {
            // Refused before it can reach the group commit (docs/0018).
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, Truncate($"{path} {problem}"), headerTenant);
        }

        NotificationRequestedMessage? message;
        try
        {
            // Straight from the message bytes: no string is made of the whole body.
            message = value is null ? null : JsonSerializer.Deserialize<NotificationRequestedMessage>(value, Json.Options);
        }
        catch (JsonException ex)
        {
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, Truncate($"the message is not a valid request: {ex.Message}"), headerTenant);
        }

        if (message is null)
        {
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "the message is empty.", headerTenant);
        }

        var notificationId = string.IsNullOrEmpty(message.NotificationId) ? null : message.NotificationId;
        Guid? bodyTenant = null;
        if (message.OrganizationId is not null)
        {
            if (!Guid.TryParse(message.OrganizationId, out var parsed))
            {
                return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "organizationId is not a tenant id (UUID).", headerTenant, notificationId);
            }

            bodyTenant = parsed;
        }

        if (headerTenant is { } h && bodyTenant is { } b && h != b)
        {
            // Either could be a mistake; acting for one of them would be a guess about whose notification this is.
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "the tenant-id header and organizationId name different tenants.", null, notificationId);
        }

        if ((headerTenant ?? bodyTenant) is not { } tenantId)
        {
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "no tenant: set the tenant-id header or organizationId.", null, notificationId);
        }

        if (notificationId is null)
        {
            // It is the idempotency key: without it a redelivered message would become a second notification.
            return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "notificationId is required.", tenantId);
        }

        var channels = message.Channels ?? [];
        if (message.Channel is { } single && !channels.Contains(single))
        {
            channels = [.. channels, single];
        }

        Recipient? recipient;
        switch (message.Recipient)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                recipient = null;
                break;
            case { ValueKind: JsonValueKind.String } address:
                recipient = ForChannels(address.GetString()!, channels);
                break;
            case { ValueKind: JsonValueKind.Object } shaped:
                try
                {
                    recipient = shaped.Deserialize<Recipient>(Json.Options);
                }
                catch (JsonException ex)
                {
                    return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, Truncate($"recipient: {ex.Message}"), tenantId, notificationId);
                }

                break;
            default:
                return ParsedRequest.Refused(IngestionErrorCodes.ValidationFailed, "recipient must be a string or an object.", tenantId, notificationId);
        }

        var request = new SendNotificationRequest(
            message.EventType, message.Payload, channels, recipient, message.UserId, message.Subject, message.Body,
            message.Priority, message.SendAt, notificationId, message.Template, message.TemplateVersion, message.Locale, message.ExpiresAt);
        if (RecipientIntake.NeedsProfile(request))
        {
            // Its addresses are in the recipient profile, which only the write stage reads (one
            // query per tenant and batch); validated there, once filled.
            return ParsedRequest.Unfilled(tenantId, notificationId, request);
        }

        return Validate(tenantId, notificationId, request, enabledChannels, now, fallbackFor);
    }

    /// <summary>The REST validator over a request read from Kafka, with the tenant's fallback order when it names no channel.</summary>
    public static ParsedRequest Validate(
        Guid tenantId, string notificationId, SendNotificationRequest request, ISet<Channel> enabledChannels, DateTimeOffset now,
        Func<Guid, string, IReadOnlyList<Channel>?>? fallbackFor)
    {
        var fallback = request.Channels is not { Count: > 0 } && request.EventType is { } eventType && fallbackFor is not null
            ? fallbackFor(tenantId, eventType.Trim())
            : null;
        var validation = RequestValidator.Validate(request, null, enabledChannels, now, fallback);
        return validation.IsValid
            ? ParsedRequest.Valid(tenantId, notificationId, validation.Request!)
            : Refused(validation, tenantId, notificationId);
    }

    /// <summary>A failed validation (or template render) as a dead letter: the same code and messages as REST.</summary>
    public static ParsedRequest Refused(Validation validation, Guid tenantId, string notificationId) =>
        ParsedRequest.Refused(validation.ErrorCode!,
            Truncate(string.Join(" ", validation.Errors.SelectMany(e => e.Value))),
            tenantId, notificationId);

    /// <summary>Seed 002's single recipient string means the address of whichever channel was asked for.</summary>
    private static Recipient ForChannels(string address, IReadOnlyList<Channel> channels)
    {
        var recipient = new Recipient();
        foreach (var channel in channels)
        {
            recipient = channel switch
            {
                Channel.Email => recipient with { Email = address },
                Channel.Sms => recipient with { Phone = address },
                Channel.Push => recipient with { PushToken = address },
                Channel.Webhook => recipient with { WebhookUrl = address },
                _ => recipient,
            };
        }

        return recipient;
    }

    private static string Truncate(string text) => text.Length <= MaxErrorMessageLength ? text : text[..MaxErrorMessageLength];
}
