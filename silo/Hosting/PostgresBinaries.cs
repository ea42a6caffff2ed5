namespace Notifly.Silo.Hosting;

/// <summary>
/// The PostgreSQL server programs, and how to run them: initdb and postgres refuse to run as
/// root, so a root process (CI, containers) runs them as the <c>postgres</c> system user.
/// </summary>
internal sealed class PostgresBinaries
{
    private const string ServerUser = "postgres";
    private const string InstallHint =
        "Install the PostgreSQL server with `apt-get install postgresql` (scripts/ensure-deps.sh does it), " +
        "or set PrivatePostgresOptions.BinDirectory to the directory that holds initdb, pg_ctl and postgres.";

    private static readonly string[] RequiredTools = ["initdb", "pg_ctl", "postgres"];

    // Callers match pg_ctl's messages and the server log ("does not exist", "could not bind"):
    // keep them untranslated whatever the user's locale.
    private static readonly Dictionary<string, string> Untranslated = new() { ["LC_ALL"] = "C" };

    private readonly string? _runuser;

    private PostgresBinaries(string binDirectory, string? runuser)
    {
        BinDirectory = binDirectory;
        _runuser = runuser;
    }

    public string BinDirectory { get; }

    /// <summary>Whether the server runs as the postgres system user rather than as this process's user.</summary>
    public bool RunsAsServerUser => _runuser is not null;

    public static async Task<PostgresBinaries> LocateAsync(string? binDirectory, CancellationToken cancellationToken)
    {
        var directory = binDirectory is { Length: > 0 }
            ? (HasServerTools(binDirectory) ? binDirectory : throw Missing($"{binDirectory} lacks initdb, pg_ctl or postgres."))
            : FindNewestDebianBinDirectory() ?? await AskPgConfigAsync(cancellationToken)
              ?? throw Missing("No /usr/lib/postgresql/*/bin/postgres, and `pg_config --bindir` names none either.");

        if (!Environment.IsPrivilegedProcess)
        {
            return new PostgresBinaries(directory, runuser: null);
        }

        var runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "Running as root, so PostgreSQL must run as the postgres system user, but runuser (util-linux) is missing.");
        var user = await ProcessRunner.RunUncheckedAsync("id", ["-u", ServerUser], cancellationToken);
        if (user.ExitCode != 0)
        {
            throw new InvalidOperationException(
                "Running as root, so PostgreSQL must run as the postgres system user, but there is no such user. " + InstallHint);
        }

        return new PostgresBinaries(directory, runuser);
    }

    /// <summary>Runs a server program (initdb, pg_ctl…) and throws with its output unless it succeeds.</summary>
    public Task<ProcessResult> RunAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (fileName, allArguments) = Command(tool, arguments);
        return ProcessRunner.RunAsync(fileName, allArguments, cancellationToken, workingDirectory: "/", Untranslated);
    }

    public Task<ProcessResult> RunUncheckedAsync(string tool, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (fileName, allArguments) = Command(tool, arguments);
        return ProcessRunner.RunUncheckedAsync(fileName, allArguments, cancellationToken, workingDirectory: "/", Untranslated);
    }

    /// <summary>Hands a directory this process created to the user the server runs as.</summary>
    public async Task GiveToServerUserAsync(string directory, CancellationToken cancellationToken)
    {
        if (!RunsAsServerUser)
        {
            return;
        }

        await ProcessRunner.RunAsync("chown", [$"{ServerUser}:", directory], cancellationToken);
        var reachable = await ProcessRunner.RunUncheckedAsync(
            _runuser!, ["-u", ServerUser, "--", "test", "-w", directory, "-a", "-x", directory], cancellationToken, "/");
        if (reachable.ExitCode != 0)
        {
            // Typically a data directory under /root: chown fixes the directory, not its 0700 parents.
            throw new InvalidOperationException(
                $"The postgres system user cannot use {directory}: every parent directory must be searchable by it. " +
                "Choose a data directory under /tmp or another world-searchable path.");
        }
    }

    /// <summary>
    /// Whether the server's user could use <paramref name="path"/>, which need not exist yet: it must be
    /// able to search every directory down to the nearest one that exists (directories we create below
    /// that get the default mode). Always true when the server runs as this process's user.
    /// </summary>
    public async Task<bool> ServerUserCanReachAsync(string path, CancellationToken cancellationToken)
    {
        if (!RunsAsServerUser)
        {
            return true;
        }

        var nearest = Path.GetFullPath(path);
        while (!Directory.Exists(nearest))
        {
            nearest = Path.GetDirectoryName(nearest) ?? "/";
        }

        // `test -x` on a directory is "may search it", and it can only look once every parent let it through.
        var probe = await ProcessRunner.RunUncheckedAsync(
            _runuser!, ["-u", ServerUser, "--", "test", "-x", nearest], cancellationToken, "/");
        return probe.ExitCode == 0;
    }

    /// <summary>The program and arguments that run <paramref name="tool"/> as the server's user.</summary>
    public (string FileName, IEnumerable<string> Arguments) Command(string tool, IEnumerable<string> arguments)
    {
        var program = Path.Combine(BinDirectory, tool);
        return _runuser is null
            ? (program, arguments)
            : (_runuser, new[] { "-u", ServerUser, "--", program }.Concat(arguments));
    }

    private static bool HasServerTools(string directory) =>
        RequiredTools.All(tool => File.Exists(Path.Combine(directory, tool)));

    private static string? FindNewestDebianBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(versionDirectory => (
                Version: Version.TryParse(AsVersion(Path.GetFileName(versionDirectory)), out var version) ? version : null,
                Bin: Path.Combine(versionDirectory, "bin")))
            .Where(candidate => candidate.Version is not null && HasServerTools(candidate.Bin))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

    // Debian names the directories "15", "16" or "9.6"; Version.TryParse wants at least two parts.
    private static string AsVersion(string name) =>
        name.Contains('.', StringComparison.Ordinal) ? name : name + ".0";

    private static async Task<string?> AskPgConfigAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await ProcessRunner.RunUncheckedAsync("pg_config", ["--bindir"], cancellationToken);
            var directory = result.StandardOutput.Trim();
            return result.ExitCode == 0 && HasServerTools(directory) ? directory : null;
        }
        catch (InvalidOperationException)
        {
            return null; // no pg_config on PATH
        }
    }

    private static InvalidOperationException Missing(string detail) =>
        new($"PostgreSQL server binaries not found: {detail} {InstallHint}");
}
