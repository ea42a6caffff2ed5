using System.Globalization;

namespace Notifly.Tests.Support;

/// <summary>Free Orleans ports and a cluster of its own for a child process, which would otherwise take the defaults.</summary>
public static class SiloPorts
{
    public static void Assign(IDictionary<string, string?> environment)
    {
        environment["Notifly__Orleans__SiloPort"] = FreeTcpPort.Pick().ToString(CultureInfo.InvariantCulture);
        environment["Notifly__Orleans__GatewayPort"] = FreeTcpPort.Pick().ToString(CultureInfo.InvariantCulture);
        environment["Notifly__Orleans__ClusterId"] = $"test-{Guid.NewGuid():N}";
    }
}
