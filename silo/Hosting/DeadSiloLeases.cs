using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notifly.Grains.Runtime;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Watches the cluster's membership and, when a silo is declared dead, brings the attempt leases
/// it held due at once (<see cref="NotificationStore.ReleaseLeasesAsync"/>), so its notifications
/// run again on the survivors within the failure-detection time rather than the lease's 60 s.
/// Every survivor does it; the release is idempotent, so the first one wins and the rest find
/// nothing left. A silo that was wrongly declared dead stops itself (Orleans), and the results of
/// attempts it still finishes are fenced off by attempt number.
/// </summary>
public sealed partial class DeadSiloLeases(
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    NotificationStore store,
    WakeUpSignal wakeUp,
    ILogger<DeadSiloLeases> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handled = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Dead && !member.SiloAddress.Equals(local.SiloAddress) && handled.Add(member.SiloAddress))
                    {
                        await ReleaseAsync(member.SiloAddress, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReleaseAsync(SiloAddress silo, CancellationToken stoppingToken)
    {
        var owner = silo.ToParsableString();
        while (true)
        {
            try
            {
                var released = await store.ReleaseLeasesAsync(owner, stoppingToken);
                if (released > 0)
                {
                    LogReleased(owner, released);
                    wakeUp.Wake();
                }

                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL may be restarting: keep trying, or the leases wait for their expiry.
                LogReleaseFailed(ex, owner);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} was declared dead: released {Count} attempt leases it held")]
    private partial void LogReleased(string silo, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Releasing the attempt leases of dead silo {Silo} failed; retrying")]
    private partial void LogReleaseFailed(Exception ex, string silo);
}
