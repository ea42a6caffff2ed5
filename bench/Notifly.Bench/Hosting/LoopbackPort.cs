using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Notifly.Bench.Hosting;

public static class LoopbackPort
{
    // Ports come from below the kernel's ephemeral range, so no outgoing connection and no
    // "bind to port 0" elsewhere in the run can take one between the pick and its use; a counter
    // hands each caller a different one. The start is random so two test processes on one machine
    // (the test suite and a benchmark) rarely walk the same ports.
    private static readonly (int Low, int High) Range = PickRange();
    private static int _next = Range.Low + Random.Shared.Next(0, (Range.High - Range.Low) / 2);

    /// <summary>
    /// A loopback port nobody in this process was given before and nobody listens on now: for a
    /// server we start next, or as a "connection refused" address.
    /// </summary>
    public static int Pick()
    {
        for (var tries = 0; tries < 1000; tries++)
        {
            var port = Range.Low + (int)((uint)(Interlocked.Increment(ref _next) - Range.Low) % (uint)(Range.High - Range.Low));
            if (Bindable(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {Range.Low}-{Range.High}");
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int Low, int High) PickRange()
    {
        // /proc/sys/net/ipv4/ip_local_port_range reads "32768\t60999" on Debian.
        var ephemeralLow = 32768;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(fields[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or hidden: keep the common default.
        }
        return ephemeralLow > 12000 ? (ephemeralLow - 10000, ephemeralLow) : (ephemeralLow / 2, ephemeralLow);
    }
}
