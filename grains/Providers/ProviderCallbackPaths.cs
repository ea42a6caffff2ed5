namespace Notifly.Grains.Providers;

/// <summary>
/// Where providers post delivery receipts. The deployment's accounts use the path itself; a
/// tenant's provider appends its id, so its callbacks are checked with its own keys and may only
/// move that tenant's notifications (docs/0015).
/// </summary>
public static class ProviderCallbackPaths
{
    public const string TwilioStatus = "/api/providers/twilio/callbacks/status";

    public const string SendGridEvents = "/api/providers/sendgrid/callbacks/events";
}
