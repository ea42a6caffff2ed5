namespace Notifly.Grains.Notifications;

/// <summary>A provider's final word on a sent message (docs/0014).</summary>
public enum ReceiptStatus
{
    /// <summary>It reached the recipient's device or inbox.</summary>
    Delivered,

    /// <summary>It never will (Twilio's <c>undelivered</c> and <c>failed</c>).</summary>
    Undelivered,
}
