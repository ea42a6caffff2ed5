namespace Notifly.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard for operators (<c>Notifly:Orleans:Dashboard</c>): silos, grains, calls
/// and their latencies, live. Off unless enabled (single-node mode enables it), and even then
/// answered only to loopback clients: in Kubernetes, reach it through <c>kubectl port-forward</c>.
/// It counts every grain call, so it costs a little on every delivery while it is on.
/// </summary>
public sealed class OrleansDashboardOptions
{
    public const string Section = "Notifly:Orleans:Dashboard";

    public bool Enabled { get; set; }

    /// <summary>Where the dashboard is served.</summary>
    public string Path { get; set; } = "/orleans";
}
