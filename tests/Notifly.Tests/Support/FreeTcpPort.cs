using Notifly.Bench.Hosting;

namespace Notifly.Tests.Support;

public static class FreeTcpPort
{
    /// <summary>
    /// A loopback port nobody in this process was given before and nobody listens on now: for a
    /// server we start next, or as a "connection refused" address (the benchmark's picker).
    /// </summary>
    public static int Pick() => LoopbackPort.Pick();
}
