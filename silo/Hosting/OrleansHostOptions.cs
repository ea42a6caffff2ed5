using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Notifly.Silo.Hosting;

/// <summary>How a node's silo finds the others (<c>Notifly:Orleans:Clustering</c>).</summary>
public enum OrleansClustering
{
    /// <summary>One silo on its own (single-node mode, and test nodes that share only PostgreSQL).</summary>
    Development,

    /// <summary>Membership in Redis (<c>Microsoft.Orleans.Clustering.Redis</c>): a cluster of silos.</summary>
    Redis,
}

/// <summary>
/// The node's Orleans silo (<c>Notifly:Orleans</c>, docs/0020). With development clustering each
/// node is its own cluster on loopback, so two nodes on one machine need their own ports. With
/// Redis, silos sharing <see cref="ClusterId"/> and the Redis server form one cluster; each
/// advertises <see cref="AdvertisedAddress"/> (a pod's IP in Kubernetes).
/// </summary>
public sealed class OrleansHostOptions : IValidatableObject
{
    public const string Section = "Notifly:Orleans";

    public OrleansClustering Clustering { get; set; } = OrleansClustering.Development;

    /// <summary>StackExchange.Redis configuration string of the membership store, e.g. <c>redis:6379</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>The address other silos reach this one at. Loopback by default (one machine).</summary>
    [Required(AllowEmptyStrings = false)]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClusterId { get; set; } = "notifly-dev";

    /// <summary>Stays the same across deployments of this service.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceId { get; set; } = "notifly";

    /// <summary>
    /// For an api node (<c>Notifly:Role=Api</c>) under development clustering: the silos'
    /// gateways it connects to, as <c>host:port</c>. Empty means this machine's
    /// <see cref="GatewayPort"/>. Under Redis clustering the gateways come from membership.
    /// </summary>
    public List<string> Gateways { get; set; } = [];

    /// <summary>
    /// Under development clustering, the silo endpoint (<c>ip:port</c>) of the silo that keeps the
    /// cluster's membership, for a second silo on the same machine or network without Redis (the
    /// benchmark's two-silo phase). Empty: this silo is its own primary. Redis is the way for a
    /// real deployment: the primary is a single point of failure.
    /// </summary>
    public string? PrimarySilo { get; set; }

    /// <summary>The gateways an api node connects to under development clustering.</summary>
    public IReadOnlyList<IPEndPoint> GatewayEndpoints() =>
        Gateways.Count == 0
            ? [new IPEndPoint(IPAddress.Loopback, GatewayPort)]
            : Gateways.Select(g => IPEndPoint.TryParse(g, out var e) ? e : null).OfType<IPEndPoint>().ToArray(); // the rest fail validation

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult($"'{AdvertisedAddress}' is not an IP address", [nameof(AdvertisedAddress)]);
        }

        foreach (var gateway in Gateways.Where(g => !IPEndPoint.TryParse(g, out var e) || e.Port == 0))
        {
            yield return new ValidationResult($"Gateway '{gateway}' is not an IP address and port (e.g. 10.0.0.5:30000)", [nameof(Gateways)]);
        }

        if (!string.IsNullOrEmpty(PrimarySilo) && (!IPEndPoint.TryParse(PrimarySilo, out var primary) || primary.Port == 0))
        {
            yield return new ValidationResult($"Primary silo '{PrimarySilo}' is not an IP address and port (e.g. 127.0.0.1:11111)", [nameof(PrimarySilo)]);
        }

        if (Clustering == OrleansClustering.Redis && string.IsNullOrWhiteSpace(Redis))
        {
            yield return new ValidationResult("Redis clustering needs Notifly:Orleans:Redis (a StackExchange.Redis configuration string)", [nameof(Redis)]);
        }
    }
}
