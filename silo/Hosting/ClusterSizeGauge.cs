using Microsoft.Extensions.Hosting;
using Notifly.Grains.Observability;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Reports the cluster's active silos, as this silo's membership sees them, on the
/// <c>notifly.cluster.silos_active</c> gauge: the alert for a cluster that lost a silo.
/// </summary>
public sealed class ClusterSizeGauge(IClusterMembershipService membership) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        NotiflyMetrics.TrackSilos(this, () => membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        NotiflyMetrics.UntrackSilos(this);
        return Task.CompletedTask;
    }
}
