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
}
