using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Notifly.Silo.Hosting;

/// <summary>
/// A PostgreSQL server of our own, run from the distribution's binaries: the dev silo's database
/// and the test run's. It listens on 127.0.0.1 only and trusts every local connection.
/// </summary>
/// <remarks>
/// A server that a crashed earlier run left running on the same data directory is stopped and
/// started again rather than reused: its port and settings may not be this run's, and a restart
/// costs well under a second. One data directory therefore has one owner at a time.
/// </remarks>
public sealed partial class PrivatePostgres : IAsyncDisposable
{
    private const string LogFileName = "postgres.log";
    // The kernel's sun_path holds 108 bytes with the NUL, and PostgreSQL appends "/.s.PGSQL.<port>".
    private const int MaxSocketPathBytes = 107;
    private const int StartAttempts = 3;
    private const string WaitSeconds = "60";

    private readonly PostgresBinaries _binaries;
    private readonly ServerWatchdog _watchdog;
    private readonly string? _ownSocketDirectory;
    private readonly bool _keepData;
    private readonly string _superuser;
    private readonly ILogger _logger;
    private int _stopped;

    private PrivatePostgres(
        PostgresBinaries binaries, ServerWatchdog watchdog, string dataDirectory, string? ownSocketDirectory, int port,
        PrivatePostgresOptions options, ILogger logger)
    {
        _binaries = binaries;
        _watchdog = watchdog;
        DataDirectory = dataDirectory;
        _ownSocketDirectory = ownSocketDirectory;
        Port = port;
        _keepData = options.KeepData;
        _superuser = options.Superuser;
        Database = options.Database;
        _logger = logger;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public string Database { get; }

    /// <summary>Connection string for <see cref="Database"/>.</summary>
    public string ConnectionString => ConnectionStringFor(Database);

    public static async Task<PrivatePostgres> StartAsync(PrivatePostgresOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        logger ??= NullLogger.Instance;
        var elapsed = Stopwatch.StartNew();
        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, cancellationToken);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        // On failure only a directory this call created is deleted: DataDirectory may name something precious by mistake.
        var createdDirectory = !Directory.Exists(dataDirectory);
        string? ownSocketDirectory = null;
        ServerWatchdog? watchdog = null;
        try
        {
            if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            {
                await InitializeAsync(binaries, dataDirectory, options, cancellationToken);
                LogInitialized(logger, dataDirectory, binaries.BinDirectory);
            }

            await ServerSettings.EnsureIncludedAsync(dataDirectory, cancellationToken);
            await StopLeftoverServerAsync(binaries, dataDirectory, logger, cancellationToken);

            if (Encoding.UTF8.GetByteCount(Path.Combine(dataDirectory, ".s.PGSQL.65535")) > MaxSocketPathBytes)
            {
                ownSocketDirectory = Path.Combine("/tmp", "notifly-pg-" + Guid.NewGuid().ToString("N")[..12]);
                CreatePrivateDirectory(ownSocketDirectory);
                await binaries.GiveToServerUserAsync(ownSocketDirectory, cancellationToken);
            }

            var port = await StartServerAsync(
                binaries, dataDirectory, socketDirectory: ownSocketDirectory ?? dataDirectory, options, logger, cancellationToken);
            watchdog = ServerWatchdog.Start(binaries, dataDirectory, ownSocketDirectory, options.KeepData);
            var server = new PrivatePostgres(binaries, watchdog, dataDirectory, ownSocketDirectory, port, options, logger);
            await server.EnsureDatabaseAsync(options.Database, cancellationToken);
            LogStarted(logger, port, dataDirectory, elapsed.ElapsedMilliseconds);
            return server;
        }
        catch
        {
            // Whatever failed (or was cancelled) after pg_ctl forked the postmaster must not leave it behind.
            if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            {
                await binaries.RunUncheckedAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
            }

            if (createdDirectory && !options.KeepData)
            {
                DeleteDirectory(dataDirectory);
            }

            if (ownSocketDirectory is not null)
            {
                DeleteDirectory(ownSocketDirectory);
            }

            watchdog?.Dispose();
            throw;
        }
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = _superuser,
        Database = database,
        MaxPoolSize = 100,
        // Every connection is ours and trusted: skip DISCARD ALL on each return to the pool.
        NoResetOnClose = true,
        IncludeErrorDetail = true,
    }.ConnectionString;

    /// <summary>Creates <paramref name="database"/> unless it exists; true when it was created.</summary>
    public async Task<bool> EnsureDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        // Unpooled: an idle pooled connection to "postgres" would outlive its use for nothing.
        var builder = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return false;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            return false; // another process created it between our check and our CREATE
        }
    }

    /// <summary>Stops the server (fast shutdown) and, unless KeepData, deletes its data directory.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => StopAsync("fast", cancellationToken);

    /// <summary>
    /// Stops the server as a crash would (<c>pg_ctl -m immediate</c>: no checkpoint, and crash
    /// recovery at the next start), for fault tests. This handle is done with it; start the same
    /// data directory again with a new one. Only for a server that keeps its data.
    /// </summary>
    public Task CrashAsync(CancellationToken cancellationToken = default) => _keepData
        ? StopAsync("immediate", cancellationToken)
        : throw new InvalidOperationException("a crash only means something for a server that keeps its data (KeepData)");

    private async Task StopAsync(string mode, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var result = await _binaries.RunUncheckedAsync(
            "pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", WaitSeconds, "stop"], cancellationToken);
        // "PID file ... does not exist": the server is already gone (stopped by hand, or it crashed).
        if (result.ExitCode != 0 && !result.StandardError.Contains("does not exist", StringComparison.Ordinal))
        {
            throw new ProcessFailedException(result);
        }

        if (!_keepData)
        {
            DeleteDirectory(DataDirectory);
        }

        if (_ownSocketDirectory is not null)
        {
            DeleteDirectory(_ownSocketDirectory);
        }

        // Only now: had the stop failed, the watchdog would still try again when this process exits.
        _watchdog.Dispose();
        LogStopped(_logger, Port, DataDirectory);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    /// <summary>
    /// Stops (immediately) whatever server still runs on a throw-away data directory whose owner
    /// died without disposing it, and deletes the directory.
    /// </summary>
    internal static async Task DeleteAbandonedAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            var binaries = await PostgresBinaries.LocateAsync(binDirectory: null, cancellationToken);
            await binaries.RunUncheckedAsync("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], cancellationToken);
        }

        DeleteDirectory(dataDirectory);
    }

    internal static string QuoteIdentifier(string identifier) =>
        "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task InitializeAsync(
        PostgresBinaries binaries, string dataDirectory, PrivatePostgresOptions options, CancellationToken cancellationToken)
    {
        // The parents keep the default mode: when the server runs as the postgres user it must be able to reach the leaf.
        Directory.CreateDirectory(Path.GetDirectoryName(dataDirectory)!);
        CreatePrivateDirectory(dataDirectory);
        await binaries.GiveToServerUserAsync(dataDirectory, cancellationToken);

        List<string> arguments = ["-D", dataDirectory, "-A", "trust", "-U", options.Superuser, "-E", "UTF8", "--no-locale", "--no-instructions"];
        if (!options.KeepData)
        {
            arguments.Add("--no-sync"); // a throw-away cluster need not survive a power cut
        }

        await binaries.RunAsync("initdb", arguments, cancellationToken);
    }

    private static async Task StopLeftoverServerAsync(
        PostgresBinaries binaries, string dataDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            return;
        }

        // Exit code 0: a live postmaster owns the directory. A stale pid file (3) is the server's to clean up.
        var status = await binaries.RunUncheckedAsync("pg_ctl", ["-D", dataDirectory, "status"], cancellationToken);
        if (status.ExitCode == 0)
        {
            LogLeftoverServer(logger, dataDirectory);
            await binaries.RunAsync("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", WaitSeconds, "stop"], cancellationToken);
        }
    }

    private static async Task<int> StartServerAsync(
        PostgresBinaries binaries, string dataDirectory, string socketDirectory, PrivatePostgresOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        var logFile = Path.Combine(dataDirectory, LogFileName);
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            await ServerSettings.WriteAsync(dataDirectory, port, socketDirectory, options.KeepData, options.ExtraSettings, cancellationToken);

            var logStart = File.Exists(logFile) ? new FileInfo(logFile).Length : 0;
            var result = await binaries.RunUncheckedAsync(
                "pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", WaitSeconds, "start"], cancellationToken);
            if (result.ExitCode == 0)
            {
                return port;
            }

            var log = await ReadFromAsync(logFile, logStart, cancellationToken);
            // A port we picked as free can be taken before the server binds it; pick another.
            if (options.Port == 0 && attempt < StartAttempts && log.Contains("could not bind", StringComparison.Ordinal))
            {
                LogPortTaken(logger, port);
                continue;
            }

            throw new InvalidOperationException(
                $"PostgreSQL did not start on port {port}.{Environment.NewLine}{new ProcessFailedException(result).Message}" +
                $"{Environment.NewLine}--- {logFile} ---{Environment.NewLine}{log.TrimEnd()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // What the server logged since offset, capped so that a long dev log cannot flood the exception.
    private static async Task<string> ReadFromAsync(string path, long offset, CancellationToken cancellationToken)
    {
        const int maxBytes = 16 * 1024;
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Max(offset, stream.Length - maxBytes), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created PostgreSQL cluster in {DataDirectory} with {BinDirectory}")]
    private static partial void LogInitialized(ILogger logger, string dataDirectory, string binDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A PostgreSQL server left running on {DataDirectory} by an earlier run is being restarted")]
    private static partial void LogLeftoverServer(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Port {Port} was taken before PostgreSQL could bind it; retrying on another")]
    private static partial void LogPortTaken(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL listening on 127.0.0.1:{Port} (data {DataDirectory}), ready in {ElapsedMilliseconds} ms")]
    private static partial void LogStarted(ILogger logger, int port, string dataDirectory, long elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL on port {Port} (data {DataDirectory}) stopped")]
    private static partial void LogStopped(ILogger logger, int port, string dataDirectory);
}
