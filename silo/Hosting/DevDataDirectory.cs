using System.Security.Cryptography;
using System.Text;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Where single-node mode keeps its PostgreSQL cluster: <c>$NOTIFLY_HOME/pg</c>, unless the server's
/// user cannot get there. Run as root, PostgreSQL runs as the postgres user (it refuses root), and a
/// clone under /root (mode 0700) is closed to that user whatever mode the data directory itself has.
/// The cluster then lives under <see cref="DefaultFallbackRoot"/> in a directory named by a hash of
/// NOTIFLY_HOME: each clone keeps a cluster of its own and finds it again on the next run.
/// </summary>
/// <param name="Path">The data directory to give <see cref="PrivatePostgres"/>.</param>
/// <param name="FallbackReason">Why the data is not under NOTIFLY_HOME; null when it is.</param>
public sealed record DevDataDirectory(string Path, string? FallbackReason)
{
    /// <summary>
    /// Under /var/lib rather than /tmp: the data must survive a reboot (many systems empty /tmp), and
    /// only root ever falls back, so creating it is no problem.
    /// </summary>
    public const string DefaultFallbackRoot = "/var/lib/notifly";

    /// <summary>Beside the fallback cluster: which NOTIFLY_HOME it belongs to, for whoever lists the fallback root.</summary>
    public const string HomeMarkerFileName = "notifly-home";

    private const UnixFileMode SearchableByAll =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <param name="home">NOTIFLY_HOME.</param>
    /// <param name="fallbackRoot">Where fallback clusters go (<see cref="DefaultFallbackRoot"/> outside tests).</param>
    /// <param name="serverUserCanReach">Whether the server's user could use a path (<see cref="PostgresBinaries.ServerUserCanReachAsync"/>).</param>
    public static async Task<DevDataDirectory> ChooseAsync(
        string home, string fallbackRoot, Func<string, CancellationToken, Task<bool>> serverUserCanReach,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverUserCanReach);
        home = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(home));
        var preferred = System.IO.Path.Combine(home, "pg");
        var fallback = FallbackFor(home, fallbackRoot);

        // An earlier run put the data in the fallback: stay there even if NOTIFLY_HOME has become
        // reachable since (a chmod), or this run would start an empty cluster and hide the real one.
        if (HoldsCluster(fallback) && !HoldsCluster(preferred))
        {
            return Prepare(home, fallback,
                $"an earlier run kept the data there, because the postgres system user could not reach {preferred}");
        }

        if (await serverUserCanReach(preferred, cancellationToken))
        {
            return new DevDataDirectory(preferred, null);
        }

        return Prepare(home, fallback,
            $"PostgreSQL runs as the postgres system user (it refuses root), and that user cannot search every " +
            $"directory on the way to {preferred}");
    }

    /// <summary>The fallback data directory for <paramref name="home"/>: the same on every run.</summary>
    public static string FallbackFor(string home, string fallbackRoot)
    {
        home = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(home));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(home)))[..16];
        return System.IO.Path.Combine(fallbackRoot, hash, "pg");
    }

    private static bool HoldsCluster(string dataDirectory) => File.Exists(System.IO.Path.Combine(dataDirectory, "PG_VERSION"));

    private static DevDataDirectory Prepare(string home, string fallback, string reason)
    {
        // The server's user must search both levels above its data directory. Set the mode outright:
        // a umask of 077 would otherwise leave them closed, and PrivatePostgres would refuse them.
        var clusterRoot = System.IO.Path.GetDirectoryName(fallback)!;
        foreach (var directory in new[] { System.IO.Path.GetDirectoryName(clusterRoot)!, clusterRoot })
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, SearchableByAll);
            }
        }

        File.WriteAllText(System.IO.Path.Combine(clusterRoot, HomeMarkerFileName), home + Environment.NewLine);
        return new DevDataDirectory(fallback, reason);
    }
}
