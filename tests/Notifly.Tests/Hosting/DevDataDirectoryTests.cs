// Where single-node mode keeps its PostgreSQL data: NOTIFLY_HOME/pg when the postgres system user
// can reach it, else a stable directory per NOTIFLY_HOME under a fallback root (run as root from a
// clone under /root). The decision runs against real directories with a scripted reachability
// probe; the probe itself runs as the postgres user when the tests run as root. Not covered:
// PrivatePostgres starting in the chosen directory (PrivatePostgresTests, DevModeTests).
using System.Runtime.Versioning;
using Notifly.Silo.Hosting;

namespace Notifly.Tests.Hosting;

[UnsupportedOSPlatform("windows")] // file modes and the postgres user are Unix matters
public sealed class DevDataDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine("/tmp", "notifly-datadir-test-" + Guid.NewGuid().ToString("N")[..8]);

    private string Home => Path.Combine(_root, "clone", ".notifly");

    private string FallbackRoot => Path.Combine(_root, "var-lib-notifly");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Uses_NOTIFLY_HOME_pg_when_the_postgres_user_can_reach_it()
    {
        var choice = await DevDataDirectory.ChooseAsync(Home, FallbackRoot, Reachable(true), CancellationToken.None);

        choice.Should().Be(new DevDataDirectory(Path.Combine(Home, "pg"), FallbackReason: null));
        Directory.Exists(FallbackRoot).Should().BeFalse();
    }

    [Fact]
    public async Task Falls_back_to_the_same_directory_on_every_run_when_the_postgres_user_cannot_reach_it()
    {
        var first = await DevDataDirectory.ChooseAsync(Home, FallbackRoot, Reachable(false), CancellationToken.None);
        var again = await DevDataDirectory.ChooseAsync(Home + "/", FallbackRoot, Reachable(false), CancellationToken.None);

        first.Path.Should().StartWith(FallbackRoot + "/").And.EndWith("/pg").And.Be(again.Path);
        first.FallbackReason.Should().Contain(Path.Combine(Home, "pg")).And.Contain("postgres system user");
        var clusterRoot = Path.GetDirectoryName(first.Path)!;
        (await File.ReadAllTextAsync(Path.Combine(clusterRoot, DevDataDirectory.HomeMarkerFileName))).Trim().Should().Be(Home);
        foreach (var directory in new[] { FallbackRoot, clusterRoot })
        {
            File.GetUnixFileMode(directory).Should().HaveFlag(UnixFileMode.OtherExecute, "the postgres user must pass through {0}", directory);
        }
    }

    [Fact]
    public async Task Gives_each_NOTIFLY_HOME_a_fallback_of_its_own()
    {
        var one = await DevDataDirectory.ChooseAsync(Home, FallbackRoot, Reachable(false), CancellationToken.None);
        var other = await DevDataDirectory.ChooseAsync(Path.Combine(_root, "other", ".notifly"), FallbackRoot, Reachable(false), CancellationToken.None);

        other.Path.Should().NotBe(one.Path);
    }

    [Fact]
    public async Task Stays_with_the_fallback_cluster_after_NOTIFLY_HOME_became_reachable()
    {
        var fallback = DevDataDirectory.FallbackFor(Home, FallbackRoot);
        Directory.CreateDirectory(fallback);
        await File.WriteAllTextAsync(Path.Combine(fallback, "PG_VERSION"), "15");

        var choice = await DevDataDirectory.ChooseAsync(Home, FallbackRoot, Reachable(true), CancellationToken.None);

        choice.Path.Should().Be(fallback);
        choice.FallbackReason.Should().Contain("earlier run");
    }

    [Fact]
    public async Task Keeps_a_cluster_under_NOTIFLY_HOME_it_can_reach_even_beside_a_fallback_one()
    {
        foreach (var cluster in new[] { DevDataDirectory.FallbackFor(Home, FallbackRoot), Path.Combine(Home, "pg") })
        {
            Directory.CreateDirectory(cluster);
            await File.WriteAllTextAsync(Path.Combine(cluster, "PG_VERSION"), "15");
        }

        var choice = await DevDataDirectory.ChooseAsync(Home, FallbackRoot, Reachable(true), CancellationToken.None);

        choice.Path.Should().Be(Path.Combine(Home, "pg"));
    }

    [Fact]
    public async Task The_probe_sees_a_closed_parent_as_the_postgres_user_does()
    {
        var closed = Path.Combine(_root, "closed");
        var open = Path.Combine(_root, "open");
        Directory.CreateDirectory(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(_root, File.GetUnixFileMode(_root) | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, File.GetUnixFileMode(open) | UnixFileMode.OtherExecute);
        var binaries = await PostgresBinaries.LocateAsync(binDirectory: null, CancellationToken.None);

        var intoClosed = await binaries.ServerUserCanReachAsync(Path.Combine(closed, ".notifly", "pg"), CancellationToken.None);
        var intoOpen = await binaries.ServerUserCanReachAsync(Path.Combine(open, ".notifly", "pg"), CancellationToken.None);

        // Only root hands the server to the postgres user; anyone else runs it, and reaches their own directories.
        intoClosed.Should().Be(!binaries.RunsAsServerUser);
        intoOpen.Should().BeTrue();
    }

    private static Func<string, CancellationToken, Task<bool>> Reachable(bool reachable) => (_, _) => Task.FromResult(reachable);
}
