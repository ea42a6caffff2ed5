using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Webhook;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// Where a status-webhook URL leads, checked when it is registered: a host that resolves only to
/// addresses the egress guard refuses (loopback, private, link-local, metadata — docs/0011) is
/// refused at once, so a tenant learns now rather than from failed deliveries; plain http only to
/// networks the operator allowed (<c>Notifly:Channels:Webhook:AllowedNetworks</c>). The same guard
/// runs again at every connect, because a name may resolve elsewhere by then.
/// </summary>
public sealed class WebhookDestinations(IOptionsMonitor<WebhookOptions> options)
{
    /// <summary>Named, so binding the channel's section once more here leaves the channel's own options alone.</summary>
    public const string OptionsName = "StatusWebhooks";

    public async Task<DestinationVerdict> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            return DestinationVerdict.Unresolvable;
        }

        var settings = options.Get(OptionsName);
        var guard = EgressGuard.FromOptions(settings);
        if (!addresses.Any(guard.IsAllowed))
        {
            return DestinationVerdict.NotAllowed;
        }

        // Plain http is for receivers inside a network the operator vouched for, never the internet.
        var vouched = settings.AllowedNetworks.Select(n => IPNetwork.Parse(n.Trim())).ToArray();
        return url.Scheme == Uri.UriSchemeHttp
               && !addresses.All(a => vouched.Any(n => n.Contains(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a)))
            ? DestinationVerdict.HttpsRequired
            : DestinationVerdict.Allowed;
    }
}
