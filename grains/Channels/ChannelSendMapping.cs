using Notifly.GrainInterfaces.Channels;

namespace Notifly.Grains.Channels;

/// <summary>
/// Between the router's own types and the records that cross the grain boundary. Field for field:
/// the result turn audits failovers and retry hints from what comes back, so nothing may be lost.
/// </summary>
public static class ChannelSendMapping
{
    public static ChannelSendRequest ToRequest(this SendWork work) => new(
        work.NotificationId, work.TenantId, work.CorrelationId, work.Channel, work.Attempt, work.EventType,
        work.PayloadJson, work.Recipient, work.UserId, work.Subject, work.Body, work.CreatedAt, work.WebhookSecret,
        work.Priority, work.BodyIsHtml);

    public static SendWork ToWork(this ChannelSendRequest request) => new(
        request.NotificationId, request.TenantId, request.CorrelationId, request.Channel, request.Attempt, request.EventType,
        request.PayloadJson, request.Recipient, request.UserId, request.Subject, request.Body, request.CreatedAt,
        request.WebhookSecret, request.Priority, request.BodyIsHtml);

    public static ChannelSendResult ToResult(this AttemptOutcome outcome) => new(
        outcome.Kind switch
        {
            OutcomeKind.Success => ChannelSendOutcome.Success,
            OutcomeKind.Transient => ChannelSendOutcome.Transient,
            OutcomeKind.Permanent => ChannelSendOutcome.Permanent,
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "unknown outcome"),
        },
        outcome.ErrorCode, outcome.ErrorMessage, outcome.RetryAfter, outcome.ProviderMessageId, outcome.ProviderStatus,
        outcome.Provider, outcome.Failovers?.Select(f => new ChannelSendFailover(f.Provider, f.ErrorCode, f.NextProvider)).ToArray());

    public static AttemptOutcome ToOutcome(this ChannelSendResult result) => new(
        result.Outcome switch
        {
            ChannelSendOutcome.Success => OutcomeKind.Success,
            ChannelSendOutcome.Transient => OutcomeKind.Transient,
            ChannelSendOutcome.Permanent => OutcomeKind.Permanent,
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Outcome, "unknown outcome"),
        },
        result.ErrorCode, result.ErrorMessage, result.RetryAfter, result.ProviderMessageId, result.ProviderStatus,
        result.Provider, result.Failovers?.Select(f => new ProviderFailover(f.Provider, f.ErrorCode, f.NextProvider)).ToArray());
}
