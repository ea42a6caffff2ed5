using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Channels.Webhook;

public sealed class WebhookOptions
{
    public const string SectionName = "Notifly:Channels:Webhook";

    /// <summary>
    /// How long one call may take, connect to last response byte read. The spec suggests
    /// 15–30 s; we keep it shorter because a slow endpoint holds a delivery lease meanwhile.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.20.0.0/16</c>) webhooks may reach although they are internal:
    /// loopback, private and link-local addresses are refused otherwise (<see cref="EgressGuard"/>).
    /// </summary>
    [CustomValidation(typeof(WebhookOptions), nameof(ValidateNetworks))]
    public string[] AllowedNetworks { get; set; } = [];

    public static ValidationResult? ValidateNetworks(string[] networks) =>
        networks.FirstOrDefault(n => !System.Net.IPNetwork.TryParse(n?.Trim(), out _)) is { } bad
            ? new ValidationResult($"Notifly:Channels:Webhook:AllowedNetworks: '{bad}' is not a CIDR network such as 10.0.0.0/8.")
            : ValidationResult.Success;
}
