using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Grains.Notifications;

/// <summary>
/// The NotificationGrain's behaviour as a pure function <c>(state, command, now) → turn</c>.
/// No I/O, no clock, no randomness of its own (jitter comes in with the command), so every
/// transition can be tested on its own and the runtime only persists what this decides.
/// The retry policy is the one bound into the state at accept time; <c>policy</c> (the
/// deployment's) applies only to a state without one. A notification whose later channels wait
/// in STANDBY is a fallback chain: a channel that fails for good hands over to the next one.
/// </summary>
public static class NotificationMachine
{
    public static TurnResult Apply(NotificationState state, NotificationCommand command, DateTimeOffset now, RetryPolicy policy)
    {
        var turn = new Turn(state, now);
        policy = state.Retry ?? policy;
        var rejection = command switch
        {
            NotificationCommand.Fire fire => Fire(turn, fire, policy),
            NotificationCommand.RecordResult result => Record(turn, result, policy),
            NotificationCommand.Cancel => Cancel(turn),
            NotificationCommand.ReleaseLease release => ReleaseLease(turn, release),
            NotificationCommand.RetryDeadLetter retry => RetryDeadLetter(turn, retry),
            NotificationCommand.Receipt receipt => Receipt(turn, receipt),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown command"),
        };
        return rejection is null ? turn.Complete() : TurnResult.Rejected(state, rejection);
    }

    private static string? Fire(Turn turn, NotificationCommand.Fire fire, RetryPolicy policy)
    {
        if (turn.IsExpired)
        {
            // Late (an outage, a backlog): what was not sent in time is not sent at all.
            Expire(turn);
            return null;
        }

        foreach (var d in turn.Deliveries.ToArray())
        {
            if (d.IsTerminal || d.DueAt is not { } due || due > turn.Now)
            {
                continue;
            }

            if (d.Status == DeliveryStatus.Processing)
            {
                // The node running this attempt died or hung past its lease. Count the attempt as
                // a transient failure: a message that crashes every node it touches must still
                // run out of attempts rather than loop forever.
                turn.Log(new AttemptLog(d.Channel, d.Attempts, "ABANDONED", null, "LEASE_EXPIRED", "attempt lease expired", null));
                turn.Event("LEASE_EXPIRED", ("channel", d.Channel), ("attempt", d.Attempts));
                if (d.AttemptsInRound >= policy.MaxAttempts)
                {
                    FailForGood(turn, d, "LEASE_EXPIRED", "attempt lease expired", "RETRY_EXHAUSTED");
                    continue;
                }
            }

            Start(turn, turn.Get(d.Channel), fire.Lease);
        }

        return null;
    }

    private static string? ReleaseLease(Turn turn, NotificationCommand.ReleaseLease release)
    {
        var held = turn.Deliveries.Where(d => d.Status == DeliveryStatus.Processing && d.DueAt > turn.Now).ToArray();
        if (held.Length == 0)
        {
            return "NOT_IN_FLIGHT";
        }

        foreach (var d in held)
        {
            turn.Set(d with { DueAt = turn.Now });
            turn.Event("LEASE_RELEASED", ("channel", d.Channel), ("attempt", d.Attempts), ("owner", release.Owner));
        }

        return null;
    }

    private static void Start(Turn turn, DeliveryState d, TimeSpan lease)
    {
        var attempt = d.Attempts + 1;
        turn.Set(d with { Status = DeliveryStatus.Processing, Attempts = attempt, DueAt = turn.Now + lease });
        turn.Starts.Add(new AttemptStart(d.Channel, attempt));
        turn.Event("SEND_ATTEMPT", ("channel", d.Channel), ("attempt", attempt));
    }

    private static string? Record(Turn turn, NotificationCommand.RecordResult r, RetryPolicy policy)
    {
        var d = turn.Find(r.Channel);
        if (d is null || d.Status != DeliveryStatus.Processing || d.Attempts != r.Attempt)
        {
            // A late answer from an attempt whose lease already expired: a newer attempt owns
            // the delivery now, or it has finished. Recording it would rewind the state.
            return "STALE_ATTEMPT";
        }

        var o = r.Outcome;
        var latencyMs = (long)r.Latency.TotalMilliseconds;
        foreach (var failover in o.Failovers ?? [])
        {
            // docs/0015: a provider fault handed the attempt to the next provider of the channel.
            turn.Event("PROVIDER_FAILOVER", ("channel", d.Channel), ("attempt", d.Attempts), ("provider", failover.Provider),
                ("errorCode", failover.ErrorCode), ("nextProvider", failover.NextProvider));
        }

        if (o.Kind == OutcomeKind.Success)
        {
            turn.Set(d with { Status = DeliveryStatus.Sent, DueAt = null, SentAt = turn.Now, ProviderMessageId = o.ProviderMessageId });
            turn.Log(new AttemptLog(d.Channel, d.Attempts, "SENT", latencyMs, null, null, o.ProviderMessageId, o.Provider));
            turn.Event("SENT", ("channel", d.Channel), ("attempt", d.Attempts), ("latencyMs", latencyMs),
                ("providerMessageId", o.ProviderMessageId), ("provider", o.Provider));
            return null;
        }

        var code = o.ErrorCode ?? "DELIVERY_FAILED";
        var transient = o.Kind == OutcomeKind.Transient;
        turn.Log(new AttemptLog(d.Channel, d.Attempts, "FAILED", latencyMs, code, o.ErrorMessage, null, o.Provider));
        turn.Event("ATTEMPT_FAILED", ("channel", d.Channel), ("attempt", d.Attempts), ("errorCode", code),
            ("error", o.ErrorMessage), ("transient", transient), ("latencyMs", latencyMs), ("provider", o.Provider));

        if (!transient)
        {
            FailForGood(turn, d, code, o.ErrorMessage, "PERMANENT_FAILURE");
            return null;
        }

        if (d.AttemptsInRound >= policy.MaxAttempts)
        {
            FailForGood(turn, d, code, o.ErrorMessage, "RETRY_EXHAUSTED");
            return null;
        }

        var delay = policy.DelayAfter(d.AttemptsInRound, r.Jitter);
        if (o.RetryAfter is { } hint && hint > delay)
        {
            delay = hint; // the receiver asked for more time than our backoff would give
        }

        var due = turn.Now + delay;
        if (turn.ExpiresAt is { } expires && due >= expires)
        {
            // The next attempt would come too late: the notification expires now instead.
            turn.Set(d with { Status = DeliveryStatus.Retrying, DueAt = due, LastErrorCode = code, LastError = o.ErrorMessage });
            Expire(turn);
            return null;
        }

        turn.Set(d with { Status = DeliveryStatus.Retrying, DueAt = due, LastErrorCode = code, LastError = o.ErrorMessage });
        turn.Event("RETRY_SCHEDULED", ("channel", d.Channel), ("nextAttempt", d.Attempts + 1), ("dueAt", due),
            ("delayMs", (long)delay.TotalMilliseconds));
        return null;
    }

    /// <summary>
    /// A channel is done for: the next STANDBY channel of a fallback chain takes over, due at
    /// once (the next reminder claim starts it); without one, the channel is dead-lettered. Only
    /// that last failure enters the DLQ: a channel that handed over is not a lost notification.
    /// </summary>
    private static void FailForGood(Turn turn, DeliveryState d, string code, string? message, string reason)
    {
        var next = turn.Deliveries.FirstOrDefault(x => x.Status == DeliveryStatus.Standby);
        if (next is null)
        {
            DeadLetter(turn, d, code, message, reason);
            return;
        }

        turn.Set(d with { Status = DeliveryStatus.Failed, DueAt = null, LastErrorCode = code, LastError = message, Superseded = true });
        turn.Set(next with { Status = DeliveryStatus.Pending, DueAt = turn.Now });
        turn.Event("FALLBACK", ("from", d.Channel), ("to", next.Channel), ("reason", reason), ("errorCode", code),
            ("attempts", d.Attempts));
        if (turn.IsExpired)
        {
            Expire(turn); // the next channel would start too late
        }
    }

    /// <summary>
    /// Ends every delivery still open as EXPIRED: nothing is sent after the notification's
    /// expiresAt, and nothing is dead-lettered for it (it did not fail; its time ran out). An
    /// attempt in flight under a live lease is left to finish: its result is recorded as usual.
    /// </summary>
    private static void Expire(Turn turn)
    {
        var open = turn.Deliveries.Where(d => !d.IsTerminal && !(d.Status == DeliveryStatus.Processing && d.DueAt > turn.Now)).ToArray();
        if (open.Length == 0)
        {
            return;
        }

        foreach (var d in open)
        {
            if (d.Status == DeliveryStatus.Processing)
            {
                turn.Log(new AttemptLog(d.Channel, d.Attempts, "ABANDONED", null, "LEASE_EXPIRED", "attempt lease expired", null));
                turn.Event("LEASE_EXPIRED", ("channel", d.Channel), ("attempt", d.Attempts));
            }

            turn.Set(d with { Status = DeliveryStatus.Expired, DueAt = null });
        }

        turn.Event("EXPIRED", ("channels", open.Select(d => d.Channel).ToArray()), ("expiresAt", turn.ExpiresAt));
    }

    private static void DeadLetter(Turn turn, DeliveryState d, string code, string? message, string reason)
    {
        turn.Set(d with { Status = DeliveryStatus.Failed, DueAt = null, LastErrorCode = code, LastError = message });
        turn.DeadLetters.Add(new DeadLetter(d.Channel, code, message, d.Attempts));
        turn.Event("DEAD_LETTERED", ("channel", d.Channel), ("reason", reason), ("errorCode", code), ("attempts", d.Attempts));
    }

    private static string? Cancel(Turn turn)
    {
        if (turn.Deliveries.Any(d => d.Status == DeliveryStatus.Processing))
        {
            return "IN_FLIGHT";
        }

        // Standby channels alone (their chain already delivered) leave nothing to cancel.
        var open = turn.Deliveries.Where(d => !d.IsTerminal).ToArray();
        if (open.All(d => d.Status == DeliveryStatus.Standby))
        {
            return "NOT_CANCELLABLE";
        }

        foreach (var d in open)
        {
            turn.Set(d with { Status = DeliveryStatus.Cancelled, DueAt = null });
        }

        turn.Event("CANCELLED", ("channels", open.Select(d => d.Channel).ToArray()));
        return null;
    }

    private static string? RetryDeadLetter(Turn turn, NotificationCommand.RetryDeadLetter retry)
    {
        var d = turn.Find(retry.Channel);
        if (d is null || d.Status != DeliveryStatus.Failed || d.Superseded)
        {
            // A superseded channel handed over to the next one and never entered the DLQ.
            return "NOT_DEAD_LETTERED";
        }

        turn.Set(d with { Status = DeliveryStatus.Retrying, RoundStart = d.Attempts, DueAt = turn.Now });
        turn.Event("MANUAL_RETRY", ("channel", d.Channel), ("nextAttempt", d.Attempts + 1));
        return null;
    }

    /// <summary>
    /// A delivery receipt moves a SENT delivery to DELIVERED or BOUNCED, once: receipts are final,
    /// so a duplicate or late one (Twilio may call more than once) is rejected and changes nothing.
    /// A <see cref="ReceiptStatus.Failed"/> receipt fails the channel for good the way a permanent
    /// send failure does (docs/0016): the next channel of a chain takes over, or it is dead-lettered.
    /// </summary>
    private static string? Receipt(Turn turn, NotificationCommand.Receipt r)
    {
        var d = turn.Find(r.Channel);
        if (d is null || d.ProviderMessageId != r.ProviderMessageId)
        {
            return "UNKNOWN_MESSAGE";
        }

        if (d.Status is DeliveryStatus.Delivered or DeliveryStatus.Bounced)
        {
            return "ALREADY_RECEIPTED";
        }

        if (d.Status != DeliveryStatus.Sent)
        {
            return "NOT_SENT";
        }

        turn.Event("RECEIPT", ("channel", d.Channel), ("providerMessageId", r.ProviderMessageId),
            ("status", r.Status switch
            {
                ReceiptStatus.Delivered => "DELIVERED",
                ReceiptStatus.Undelivered => "BOUNCED",
                _ => "FAILED",
            }), ("errorCode", r.ErrorCode));
        switch (r.Status)
        {
            case ReceiptStatus.Delivered:
                turn.Set(d with { Status = DeliveryStatus.Delivered });
                break;
            case ReceiptStatus.Undelivered:
                turn.Set(d with
                {
                    Status = DeliveryStatus.Bounced, LastErrorCode = r.ErrorCode ?? "UNDELIVERED",
                    LastError = "the provider reported the message undelivered",
                });
                break;
            default:
                FailForGood(turn, d, r.ErrorCode ?? "PROVIDER_FAILED", "the provider reported it will not deliver the message", "RECEIPT_FAILED");
                break;
        }

        return null;
    }

    /// <summary>
    /// Derives the notification's status from its deliveries. Standby and superseded channels of
    /// a fallback chain do not count: the chain's status is its current channel's. A channel
    /// pending after another was attempted is a fallback waiting to start: RETRYING, since the
    /// notification cannot go back to ACCEPTED.
    /// </summary>
    public static NotificationStatus Derive(IReadOnlyList<DeliveryState> deliveries)
    {
        bool Any(DeliveryStatus s) => deliveries.Any(d => d.Status == s && !d.Superseded);
        if (Any(DeliveryStatus.Processing)) return NotificationStatus.Processing;
        if (Any(DeliveryStatus.Retrying)) return NotificationStatus.Retrying;
        if (Any(DeliveryStatus.Scheduled)) return NotificationStatus.Scheduled;
        if (Any(DeliveryStatus.Pending))
        {
            return deliveries.Any(d => d.Attempts > 0) ? NotificationStatus.Retrying : NotificationStatus.Accepted;
        }

        if (Any(DeliveryStatus.Failed)) return NotificationStatus.Failed;
        if (Any(DeliveryStatus.Cancelled)) return NotificationStatus.Cancelled;
        if (deliveries.All(d => d.Status == DeliveryStatus.Skipped)) return NotificationStatus.Skipped;

        // Receipts (docs/0014): one delivered channel makes the notification DELIVERED; a bounce
        // makes it BOUNCED only when no other channel is still SENT and might have arrived.
        if (Any(DeliveryStatus.Delivered)) return NotificationStatus.Delivered;
        if (Any(DeliveryStatus.Bounced) && !Any(DeliveryStatus.Sent)) return NotificationStatus.Bounced;
        if (Any(DeliveryStatus.Expired) && !Any(DeliveryStatus.Sent)) return NotificationStatus.Expired;
        return NotificationStatus.Sent;
    }
}
