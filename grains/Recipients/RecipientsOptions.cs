using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Recipients;

/// <summary><c>Notifly:PublicBaseUrl</c>: where recipients reach this deployment, for the one-click unsubscribe links in emails.</summary>
public sealed class RecipientsOptions
{
    public const string Section = "Notifly";

    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://localhost:8080";
}
