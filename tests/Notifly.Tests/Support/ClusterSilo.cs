using System.Diagnostics;
using System.Globalization;

namespace Notifly.Tests.Support;

/// <summary>
/// A worker silo as its own process (the built binary), in a cluster whose membership is in a
/// real Redis, for tests that kill one with SIGKILL.
/// </summary>
public sealed record ClusterSilo(Process Process, int HttpPort, int SiloPort)
{
    /// <param name="settings">More environment settings (<c>Section__Key</c>), e.g. the lease.</param>
    public static ClusterSilo Start(string connectionString, RedisServer redis, string clusterId, IReadOnlyDictionary<string, string> settings)
    {
        var http = FreeTcpPort.Pick();
        var siloPort = FreeTcpPort.Pick();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Notifly"] = connectionString,
            ["Notifly__Role"] = "Worker",
            ["Notifly__Orleans__Clustering"] = "Redis",
            ["Notifly__Orleans__Redis"] = redis.Configuration,
            ["Notifly__Orleans__ClusterId"] = clusterId,
            ["Notifly__Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            // Quicker failure detection than Orleans' defaults, as a deployment may choose (docs/0020).
            ["Notifly__Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Notifly__Orleans__Membership__NumMissedProbesLimit"] = "2",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        return new ClusterSilo(NotiflyProcess.Start(http, environment), http, siloPort);
    }

    /// <summary>Waits until every one of <paramref name="silos"/> answers <c>/health/ready</c>.</summary>
    public static async Task WaitReadyAsync(IEnumerable<ClusterSilo> silos)
    {
        foreach (var silo in silos)
        {
            await NotiflyProcess.WaitReadyAsync(silo.HttpPort, TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>
    /// An api node in this process, a client of the cluster: it hosts no grains and finds the
    /// silos' gateways in Redis.
    /// </summary>
    public static Task<NotiflyNode> StartApiNodeAsync(string connectionString, RedisServer redis, string clusterId) =>
        NotiflyNode.StartAsync(connectionString, new Dictionary<string, string?>
        {
            ["Notifly:Orleans:Clustering"] = "Redis",
            ["Notifly:Orleans:Redis"] = redis.Configuration,
            ["Notifly:Orleans:ClusterId"] = clusterId,
        }, Silo.Hosting.NotiflyRole.Api);

    /// <summary>Counts the attempt leases (reminders) this silo owns; a silo's name is 127.0.0.1:&lt;silo port&gt;@&lt;generation&gt;.</summary>
    public string LeasesSql => $"SELECT count(*) FROM reminders WHERE owner LIKE '%:{SiloPort.ToString(CultureInfo.InvariantCulture)}@%'";
}
