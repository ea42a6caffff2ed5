using System.ComponentModel.DataAnnotations;

namespace Notifly.Silo.Hosting;

/// <summary>
/// The node's Orleans silo (<c>Notifly:Orleans</c>). Development clustering for now (docs/0019):
/// each node is its own primary on loopback, so two nodes on one machine need their own ports and
/// cluster id, or the second fails to bind or joins the first.
/// </summary>
public sealed class OrleansHostOptions
{
    public const string Section = "Notifly:Orleans";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClusterId { get; set; } = "notifly-dev";

    /// <summary>Stays the same across deployments of this service (grain state is keyed by it).</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceId { get; set; } = "notifly";
}
