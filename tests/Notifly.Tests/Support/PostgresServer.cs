using System.Diagnostics;
using System.Globalization;
using System.Text;
using Notifly.Grains.Storage;
using Notifly.Silo.Hosting;
using Npgsql;

namespace Notifly.Tests.Support;

/// <summary>
/// The test run's one PostgreSQL server. Each test (or test class) gets a database of its own,
/// copied from a migrated template, so tests run in parallel and never clean up after each other.
/// </summary>
public sealed class PostgresServer
{
    private const string TemplateDatabase = "notifly_template";
    private const string DirectoryPrefix = "notifly-tests-pg-";

    // Start-up is shared by every test, so no one caller's token may cancel it; this bounds it instead.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);

    // One copy at a time. PostgreSQL 15 does allow overlapping copies of one template: what fails a
    // copy ("source database is being accessed by other users") is a session connected to the
    // template, which ALLOW_CONNECTIONS false rules out. The lock trades speed (20 copies: ~3.3 s
    // serialized, ~2.0 s overlapped) for a steady load on the shared server; drop it if creating
    // databases ever becomes the bottleneck.
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private int _databases;

    private PostgresServer(PrivatePostgres server) => Server = server;

    public PrivatePostgres Server { get; }

    public static Task<PostgresServer> GetAsync() => Instance.Value;

    /// <summary>A fresh, uniquely named database with every migration applied; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        CreateAsync(prefix, TemplateDatabase, cancellationToken);

    /// <summary>As <see cref="CreateDatabaseAsync"/>, with the database's files in <paramref name="tablespace"/>.</summary>
    public Task<string> CreateDatabaseInAsync(string tablespace, string? prefix = null, CancellationToken cancellationToken = default) =>
        CreateAsync(prefix, TemplateDatabase, cancellationToken, tablespace);

    /// <summary>A fresh database with no schema at all, for tests of the migrations themselves.</summary>
    public Task<string> CreateEmptyDatabaseAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        CreateAsync(prefix, "template0", cancellationToken);

    private async Task<string> CreateAsync(string? prefix, string template, CancellationToken cancellationToken, string? tablespace = null)
    {
        var name = UniqueName(prefix);
        await _createLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAdminConnectionAsync(Server, cancellationToken);
            await using var command = new NpgsqlCommand(
                $"CREATE DATABASE {PrivatePostgres.QuoteIdentifier(name)} TEMPLATE {PrivatePostgres.QuoteIdentifier(template)}" +
                (tablespace is null ? "" : $" TABLESPACE {PrivatePostgres.QuoteIdentifier(tablespace)}"), connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _createLock.Release();
        }

        return Server.ConnectionStringFor(name);
    }

    // The server is private to this process, so a counter is unique; the prefix only helps a human reading pg_database.
    private string UniqueName(string? prefix)
    {
        var stem = new StringBuilder();
        foreach (var c in (prefix ?? "test").ToLowerInvariant())
        {
            if (stem.Length == 40)
            {
                break;
            }

            stem.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return string.Create(CultureInfo.InvariantCulture, $"t_{stem}_{Interlocked.Increment(ref _databases)}");
    }

    private static async Task<PostgresServer> StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await DeleteAbandonedClustersAsync(timeout.Token);

        var directory = Path.Combine("/tmp", $"{DirectoryPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var server = await PrivatePostgres.StartAsync(
            new PrivatePostgresOptions { DataDirectory = directory, Port = 0, Database = TemplateDatabase, KeepData = false },
            logger: null,
            timeout.Token);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ProcessFailedException)
            {
                // Failing here would only hide the test results. The server's watchdog finishes the job,
                // as it does when VSTest kills the host ~100 ms into this handler, which it usually does.
            }
        };

        try
        {
            // Unpooled, so that no idle connection stays on the template once it is migrated.
            var template = new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(TemplateDatabase)) { Pooling = false };
            await using (var dataSource = NpgsqlDataSource.Create(template.ConnectionString))
            {
                await Migrator.MigrateAsync(dataSource, timeout.Token);
            }

            // One stray connection to the template would fail every copy; forbid them outright.
            await using var connection = await OpenAdminConnectionAsync(server, timeout.Token);
            await using var command = new NpgsqlCommand(
                $"ALTER DATABASE {TemplateDatabase} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false", connection);
            await command.ExecuteNonQueryAsync(timeout.Token);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return new PostgresServer(server);
    }

    private static async Task<NpgsqlConnection> OpenAdminConnectionAsync(PrivatePostgres server, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(server.ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // A test host that was killed (debugger stop, timeout) never ran ProcessExit; without this its
    // server would run on, and its directory stay in /tmp, until the machine restarts.
    private static async Task DeleteAbandonedClustersAsync(CancellationToken cancellationToken)
    {
        foreach (var directory in Directory.EnumerateDirectories("/tmp", DirectoryPrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[DirectoryPrefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || IsRunning(pid))
            {
                continue;
            }

            try
            {
                await PrivatePostgres.DeleteAbandonedAsync(directory, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Best effort: a leftover we cannot remove must not fail this run.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
