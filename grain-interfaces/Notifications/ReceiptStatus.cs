namespace Notifly.GrainInterfaces.Notifications;

/// <summary>A provider's final word on a sent message (docs/0014, docs/0016).</summary>
[GenerateSerializer]
public enum ReceiptStatus
{
    /// <summary>It reached the recipient's device or inbox.</summary>
    Delivered,

    /// <summary>It never will: the recipient's side refused it (Twilio's <c>undelivered</c> and <c>failed</c>, SendGrid's <c>bounce</c>).</summary>
    Undelivered,

    /// <summary>
    /// The provider gave up on it without trying the recipient (SendGrid's <c>dropped</c>: a
    /// suppressed address, invalid headers…). The channel has failed for good, as if the send had
    /// been refused: fallback to the next channel of a chain, or the dead-letter queue.
    /// </summary>
    Failed,
}
