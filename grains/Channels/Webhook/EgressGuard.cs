using System.Net;

namespace Notifly.Grains.Channels.Webhook;

/// <summary>
/// Which addresses a tenant's webhook may reach (SSRF protection): never loopback, private,
/// link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT, multicast or
/// reserved ranges — a tenant must not use Notifly to probe the network it runs in — unless an
/// operator allows a network in <c>Notifly:Channels:Webhook:AllowedNetworks</c>. Applied to the
/// addresses a name resolves to at connect time, so a name cannot point somewhere else later.
/// </summary>
public sealed class EgressGuard(IEnumerable<IPNetwork> allowed)
{
    private static readonly IPNetwork[] Internal =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private readonly IPNetwork[] _allowed = [.. allowed];

    public static EgressGuard FromOptions(WebhookOptions options) =>
        new(options.AllowedNetworks.Select(n => IPNetwork.Parse(n.Trim())));

    public bool IsAllowed(IPAddress address)
    {
        // ::ffff:127.0.0.1 is 127.0.0.1 on the wire.
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _allowed.Any(n => n.Contains(ip)) || !Internal.Any(n => n.Contains(ip));
    }
}
