using Notifly.GrainInterfaces.StatusWebhooks;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>What asking for a delivery by hand (redelivery, test ping) came to.</summary>
public abstract record Queued
{
    private Queued()
    {
    }

    public sealed record Done(WebhookDeliveryView Delivery) : Queued;

    /// <summary>No such endpoint or delivery for this tenant.</summary>
    public sealed record NotFound : Queued;

    /// <summary>The endpoint is disabled: enable it first.</summary>
    public sealed record EndpointDisabled : Queued;

    /// <summary>The delivery is still pending or retrying: it will be attempted anyway.</summary>
    public sealed record AlreadyQueued : Queued;
}
