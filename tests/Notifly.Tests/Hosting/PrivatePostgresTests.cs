// Covers PrivatePostgres's life cycle on the real Debian binaries: data kept or deleted, a long
// data path (socket moved under /tmp), a server left running by a crashed run, a failed start
// next to files it must not delete, and the error when the binaries are missing. Not covered: the dev silo that uses it, and concurrent owners of one
// data directory (unsupported: the later start stops the earlier server).
using Notifly.Silo.Hosting;
using Npgsql;

namespace Notifly.Tests.Hosting;

public sealed class PrivatePostgresTests : IDisposable
{
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private readonly string _root = Path.Combine("/tmp", "notifly-hosting-test-" + Guid.NewGuid().ToString("N")[..8]);

    private CancellationToken Deadline => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Deletes_its_data_directory_on_dispose_unless_KeepData()
    {
        var directory = Path.Combine(_root, "data");
        await using (var server = await StartAsync(directory, keepData: false))
        {
            (await QueryAsync<string>(server.ConnectionString, "SELECT current_database()")).Should().Be("notifly");
            (await QueryAsync<string>(server.ConnectionString, "SHOW fsync")).Should().Be("off");
        }

        Directory.Exists(directory).Should().BeFalse();
    }

    [Fact]
    public async Task Keeps_data_between_runs_with_KeepData_and_durable_settings()
    {
        var directory = Path.Combine(_root, "data");
        await using (var first = await StartAsync(directory, keepData: true))
        {
            (await QueryAsync<string>(first.ConnectionString, "SHOW fsync")).Should().Be("on");
            await QueryAsync<int>(first.ConnectionString, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42); SELECT 1");
        }

        Directory.Exists(directory).Should().BeTrue();
        await using var second = await StartAsync(directory, keepData: true);
        (await QueryAsync<int>(second.ConnectionString, "SELECT id FROM kept")).Should().Be(42);
    }

    [Fact]
    public async Task Moves_the_socket_under_tmp_when_the_data_path_is_too_long_for_one()
    {
        // sun_path takes 107 bytes; the socket file name alone adds 15 to the directory.
        var directory = Path.Combine(_root, new string('d', 60), new string('e', 40));
        await using var server = await StartAsync(directory, keepData: false);

        var sockets = await QueryAsync<string>(server.ConnectionString, "SHOW unix_socket_directories");
        sockets.Should().StartWith("/tmp/notifly-pg-");
        File.Exists(Path.Combine(sockets, $".s.PGSQL.{server.Port}")).Should().BeTrue();
    }

    [Fact]
    public async Task Restarts_a_server_that_a_crashed_run_left_on_the_same_directory()
    {
        var directory = Path.Combine(_root, "data");
        // Never stopped before the second start: what a killed dev silo leaves behind.
        var abandoned = await StartAsync(directory, keepData: true);

        await using var server = await StartAsync(directory, keepData: true);

        (await QueryAsync<int>(server.ConnectionString, "SELECT 1")).Should().Be(1);
        var reachAbandoned = () => QueryAsync<int>(abandoned.ConnectionString, "SELECT 1");
        if (abandoned.Port != server.Port)
        {
            await reachAbandoned.Should().ThrowAsync<NpgsqlException>();
        }

        // Its pid file is gone with it, so stopping the abandoned handle is a no-op, not an error.
        await abandoned.StopAsync(Deadline);
    }

    [Fact]
    public async Task Missing_binaries_fail_with_the_install_command()
    {
        var start = () => PrivatePostgres.StartAsync(
            new PrivatePostgresOptions { DataDirectory = Path.Combine(_root, "data"), BinDirectory = "/nonexistent/bin" }, null, Deadline);

        (await start.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain("apt-get install postgresql");
        Directory.Exists(Path.Combine(_root, "data")).Should().BeFalse();
    }

    [Fact]
    public async Task Failed_start_leaves_a_directory_it_did_not_create()
    {
        var directory = Path.Combine(_root, "not-a-cluster");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "precious.txt"), "keep me", Deadline);

        var start = () => StartAsync(directory, keepData: false);

        (await start.Should().ThrowAsync<ProcessFailedException>()).Which.StandardError.Should().Contain("not empty");
        File.Exists(Path.Combine(directory, "precious.txt")).Should().BeTrue();
    }

    private Task<PrivatePostgres> StartAsync(string directory, bool keepData) =>
        PrivatePostgres.StartAsync(new PrivatePostgresOptions { DataDirectory = directory, KeepData = keepData }, null, Deadline);

    private async Task<T> QueryAsync<T>(string connectionString, string sql)
    {
        // Unpooled: these servers come and go within a test, and a pooled connection would outlive them.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(unpooled.ConnectionString);
        await connection.OpenAsync(Deadline);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(Deadline))!;
    }
}
