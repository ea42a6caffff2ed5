using System.Net;
using System.Net.Sockets;

namespace Notifly.Bench.Hosting;

public static class LoopbackPort
{
    /// <summary>A loopback port nobody listened on a moment ago, for a server started next.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
