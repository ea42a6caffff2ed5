using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Observability;
using Notifly.Grains.Recipients;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;
using Notifly.Grains.Tenants.Policies;
using Notifly.Grains.Tenants.RateLimits;

namespace Notifly.Grains.Kafka.Ingestion;

/// <summary>
/// The tenant's policies applied to an ingestion batch, as REST applies them per request: turned-off
/// channels, fallback orders, recipient profiles, templates and rate limits. Parsing runs on the
/// consume loop's thread and never waits on a query; what needs the database runs in the write
/// stage, one query per tenant of the batch and kind, never per message.
/// </summary>
public sealed class IngestionPolicies(
    RecipientIntake recipients,
    TemplateIntake templates,
    RateLimiter limiter,
    TenantPolicyCache policies,
    IOptions<ChannelsOptions> channels,
    TimeProvider time)
{
    /// <summary>
    /// Parses and validates a batch: the requests for the intake, the messages refused outright,
    /// and those that need the database first (a recipient profile, a template), left for
    /// <see cref="EnrichAsync"/> in the write stage so that the loop thread never waits on a query.
    /// </summary>
    public PreparedBatch Prepare(List<ConsumeResult<byte[], byte[]>> batch)
    {
        var now = time.GetUtcNow();
        var enabled = channels.Value.Enabled;
        var prepared = new PreparedBatch(batch);
        for (var i = 0; i < batch.Count; i++)
        {
            var message = batch[i].Message;
            // sendAt's window counts from when the request was made: a message that waited out an
            // outage in its partition is judged by its own timestamp, not refused for our delay.
            var madeAt = message.Timestamp.Type == TimestampType.NotAvailable || message.Timestamp.UtcDateTime > now.UtcDateTime
                ? now
                : new DateTimeOffset(message.Timestamp.UtcDateTime, TimeSpan.Zero);
            var parsed = RefuseForTenant(RequestedMessageParser.Parse(message.Value, message.Headers, enabled, madeAt, FallbackFor));
            if (parsed.NeedsProfile is not null || parsed.Request is { Template: not null })
            {
                prepared.Enrich.Add((i, parsed));
            }
            else if (parsed.Request is { } request)
            {
                prepared.Items.Add(new IntakeItem(parsed.TenantId!.Value, null, request, TraceParent: Received(batch[i])));
                prepared.Sources.Add((i, parsed));
            }
            else
            {
                prepared.DeadLetters.Add(new DeadLetter(batch[i], parsed.ErrorCode!, parsed.ErrorMessage!, parsed.TenantId, parsed.NotificationId));
            }
        }

        return prepared;
    }

    /// <summary>
    /// A consumer span for one accepted message, continuing the producer's trace when the message
    /// carries a W3C <c>traceparent</c> header; what the notification stores for its later spans.
    /// Untraced, a valid carried context is passed on as it is.
    /// </summary>
    private static string? Received(ConsumeResult<byte[], byte[]> result)
    {
        var carried = result.Message.Headers is { } headers && headers.TryGetLastBytes(NotiflyTracing.TraceParentHeader, out var bytes)
            ? Encoding.UTF8.GetString(bytes)
            : null;
        var parent = NotiflyTracing.Parent(carried);
        using var span = NotiflyTracing.Source.StartActivity($"{result.Topic} process", ActivityKind.Consumer, parent);
        span?.SetTag("messaging.system", "kafka").SetTag("messaging.destination.name", result.Topic)
            .SetTag("messaging.destination.partition.id", result.Partition.Value).SetTag("messaging.kafka.offset", result.Offset.Value);
        return NotiflyTracing.TraceParentOf(span) ?? (parent == default ? null : carried);
    }

    /// <summary>
    /// A valid request of a suspended tenant, refused with REST's TENANT_SUSPENDED; one using a
    /// channel the tenant turned off, with CHANNEL_DISABLED; anything else as it is. The tenant's
    /// policies are cached per node; a miss loads them once.
    /// </summary>
    private ParsedRequest RefuseForTenant(ParsedRequest parsed)
    {
        if (parsed.Request is not { } valid)
        {
            return parsed;
        }

        var tenant = policies.GetAsync(parsed.TenantId!.Value, CancellationToken.None).GetAwaiter().GetResult();
        if (tenant.Suspended)
        {
            return ParsedRequest.Refused(IngestionErrorCodes.TenantSuspended,
                "the tenant is suspended by an operator.", parsed.TenantId, parsed.NotificationId);
        }

        var disabled = tenant.Disabled;
        if (disabled.Count == 0 || !valid.Channels.Any(disabled.Contains))
        {
            return parsed;
        }

        return ParsedRequest.Refused(IngestionErrorCodes.ChannelDisabled,
            $"channel {valid.Channels.First(disabled.Contains).Name()} is turned off for this tenant.", parsed.TenantId, parsed.NotificationId);
    }

    /// <summary>
    /// The event type's fallback order less the tenant's turned-off channels, as REST's
    /// TenantChannelsAsync gives it. Cached per node like <see cref="RefuseForTenant"/>'s policies; the parser asks
    /// only for requests that name no channel.
    /// </summary>
    private Channel[]? FallbackFor(Guid tenantId, string eventType)
    {
        var tenant = policies.GetAsync(tenantId, CancellationToken.None).GetAwaiter().GetResult();
        return tenant.FallbackFor(eventType)?.Where(c => !tenant.Disabled.Contains(c)).ToArray();
    }

    /// <summary>
    /// The REST intake's database-backed policies for the messages that need them (docs/0009,
    /// docs/0007): per tenant of the batch, one query fills the missing addresses from the
    /// recipient profiles and one loads the templates; each request is then validated and
    /// rendered as over REST, and what is refused becomes a dead letter with REST's code.
    /// </summary>
    public async Task EnrichAsync(PreparedBatch prepared, CancellationToken stoppingToken)
    {
        if (prepared.Enriched || prepared.Enrich.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var enabled = channels.Value.Enabled;
        var batch = prepared.Batch;
        var items = new List<IntakeItem>();
        var sources = new List<(int Index, ParsedRequest Parsed)>();
        var deadLetters = new List<DeadLetter>();
        foreach (var tenant in prepared.Enrich.GroupBy(e => e.Parsed.TenantId!.Value))
        {
            var unfilled = tenant.Where(e => e.Parsed.NeedsProfile is not null).Select(e => e.Parsed.NeedsProfile).ToArray();
            var filled = unfilled.Length == 0 ? [] : await recipients.FillAsync(tenant.Key, unfilled, stoppingToken);
            var validated = new List<(int Index, ParsedRequest Parsed)>();
            var f = 0;
            foreach (var (index, original) in tenant)
            {
                var parsed = original.NeedsProfile is null
                    ? original
                    : RefuseForTenant(RequestedMessageParser.Validate(tenant.Key, original.NotificationId!, filled[f++]!, enabled, now, FallbackFor));
                if (parsed.Request is null)
                {
                    deadLetters.Add(new DeadLetter(batch[index], parsed.ErrorCode!, parsed.ErrorMessage!, parsed.TenantId, parsed.NotificationId));
                }
                else
                {
                    validated.Add((index, parsed));
                }
            }

            var rendered = await templates.RenderAllAsync(tenant.Key, validated.Select(v => v.Parsed.Request!).ToArray(), stoppingToken);
            for (var n = 0; n < validated.Count; n++)
            {
                var (index, parsed) = validated[n];
                if (rendered[n].IsValid)
                {
                    items.Add(new IntakeItem(tenant.Key, null, rendered[n].Request!, TraceParent: Received(batch[index])));
                    sources.Add((index, parsed with { Request = rendered[n].Request }));
                }
                else
                {
                    var refused = RequestedMessageParser.Refused(rendered[n], tenant.Key, parsed.NotificationId!);
                    deadLetters.Add(new DeadLetter(batch[index], refused.ErrorCode!, refused.ErrorMessage!, refused.TenantId, refused.NotificationId));
                }
            }
        }

        // All at once and only when every query succeeded: a write retried after a failure here
        // enriches again from scratch, and one retried after a later failure (rate limiter,
        // intake) finds Enriched set, so nothing is added twice. The lists are the batch's own,
        // read by Finish only after it has awaited this task, so appending from the pool is safe.
        prepared.Items.AddRange(items);
        prepared.Sources.AddRange(sources);
        prepared.DeadLetters.AddRange(deadLetters);
        prepared.Enriched = true;
    }

    /// <summary>
    /// Rate limits without dropping (docs/0006): each tenant's requests are charged with one lease
    /// for the whole batch, and those the bucket cannot pay for now keep their place but have
    /// sendAt moved to when their token comes due (a client's later sendAt stands).
    /// </summary>
    public async Task ScheduleOverLimitAsync(List<IntakeItem> items, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var byTenant = new Dictionary<Guid, List<int>>();
        for (var i = 0; i < items.Count; i++)
        {
            if (!byTenant.TryGetValue(items[i].TenantId, out var indexes))
            {
                byTenant[items[i].TenantId] = indexes = [];
            }

            indexes.Add(i);
        }

        var waits = await limiter.ScheduleAsync(byTenant.Select(t => (t.Key, t.Value.Count)).ToArray(), now, stoppingToken);
        var limited = 0;
        foreach (var (tenantId, indexes) in byTenant)
        {
            var tenantWaits = waits[tenantId];
            for (var n = 0; n < indexes.Count; n++)
            {
                var item = items[indexes[n]];
                var until = now + tenantWaits[n];
                if (tenantWaits[n] <= TimeSpan.Zero || item.Request.SendAt >= until)
                {
                    continue;
                }

                items[indexes[n]] = item with { Request = item.Request with { SendAt = until }, RateLimited = true };
                limited++;
            }
        }

        NotiflyMetrics.RateLimited.Add(limited, new KeyValuePair<string, object?>("source", "kafka"));
    }
}
