using System.Net;
using System.Net.Sockets;

namespace Notifly.Tests.Support;

public static class FreeTcpPort
{
    /// <summary>
    /// A loopback port nobody listened on a moment ago: for a server we start next, or as a
    /// "connection refused" address. Another process may take it meanwhile; callers that bind it
    /// should retry.
    /// </summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
