// Covers Migrator against a real PostgreSQL: the scripts apply to an empty database, a second
// run is a no-op, two nodes migrating one database at once apply each script exactly once, and
// the foundation script's Row Level Security confines the notifly_tenant role to its tenant's
// rows of `tenants`. Not covered: the other tables' policies and the runtime's queries.
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Storage;

public sealed class MigratorTests : IDisposable
{
    private static readonly IReadOnlyList<(int Version, string Name, string Sql)> Scripts = Migrator.LoadScripts().ToList();

    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));

    private CancellationToken Deadline => _deadline.Token;

    public void Dispose() => _deadline.Dispose();

    [Fact]
    public async Task Applies_every_script_in_order_to_an_empty_database()
    {
        await using var dataSource = await EmptyDatabaseAsync();

        var applied = await Migrator.MigrateAsync(dataSource, Deadline);

        Scripts.Should().NotBeEmpty();
        applied.Should().Equal(Scripts.Select(s => s.Name));
        (await AppliedVersionsAsync(dataSource)).Should().Equal(Scripts.Select(s => s.Version));
        (await ScalarAsync<bool>(dataSource, "SELECT to_regclass('public.tenants') IS NOT NULL")).Should().BeTrue();
    }

    [Fact]
    public async Task Applying_again_is_a_no_op()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        await Migrator.MigrateAsync(dataSource, Deadline);
        var firstAppliedAt = await ScalarAsync<DateTime>(dataSource, "SELECT max(applied_at) FROM schema_migrations");

        var applied = await Migrator.MigrateAsync(dataSource, Deadline);

        applied.Should().BeEmpty();
        (await AppliedVersionsAsync(dataSource)).Should().Equal(Scripts.Select(s => s.Version));
        (await ScalarAsync<DateTime>(dataSource, "SELECT max(applied_at) FROM schema_migrations")).Should().Be(firstAppliedAt);
    }

    [Fact]
    public async Task Two_nodes_migrating_at_once_apply_each_script_once()
    {
        var server = await PostgresServer.GetAsync();
        var connectionString = await server.CreateEmptyDatabaseAsync(nameof(MigratorTests), Deadline);
        // Two data sources, so the nodes hold separate sessions as two silos would.
        await using var first = NpgsqlDataSource.Create(connectionString);
        await using var second = NpgsqlDataSource.Create(connectionString);

        var results = await Task.WhenAll(Migrator.MigrateAsync(first, Deadline), Migrator.MigrateAsync(second, Deadline));

        // The advisory lock spans the whole run: one node applies everything, the other finds it done.
        results.SelectMany(names => names).Should().Equal(Scripts.Select(s => s.Name));
        results.Should().ContainSingle(names => names.Count == 0);
        (await AppliedVersionsAsync(first)).Should().Equal(Scripts.Select(s => s.Version));
    }

    [Fact]
    public async Task Tenant_role_sees_only_its_own_tenant_row()
    {
        var server = await PostgresServer.GetAsync();
        await using var dataSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync(nameof(MigratorTests), Deadline));
        var (alpha, beta) = (Guid.NewGuid(), Guid.NewGuid());
        await InsertTenantAsync(dataSource, alpha, "alpha");
        await InsertTenantAsync(dataSource, beta, "beta");

        (await ScalarAsync<long>(dataSource, "SELECT count(*) FROM tenants")).Should().Be(2, "the superuser bypasses RLS");
        (await CountTenantsAsTenantRoleAsync(dataSource, alpha)).Should().Be(1);
        (await CountTenantsAsTenantRoleAsync(dataSource, beta)).Should().Be(1);
        (await CountTenantsAsTenantRoleAsync(dataSource, tenant: null)).Should().Be(0, "no tenant set must mean no rows, not all rows");
    }

    [Fact]
    public async Task Partitioning_keeps_the_rows_already_there_as_the_first_partition()
    {
        await using var dataSource = await EmptyDatabaseAsync();
        // A database as the release before migration 0027 left it, with a notification and its rows.
        await using (var connection = await dataSource.OpenConnectionAsync(Deadline))
        {
            await using var table = new NpgsqlCommand(
                "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                connection);
            await table.ExecuteNonQueryAsync(Deadline);
            foreach (var (version, name, sql) in Scripts.Where(s => s.Version < 27))
            {
                await using var script = new NpgsqlCommand(sql, connection);
                await script.ExecuteNonQueryAsync(Deadline);
                await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection)
                    .With(version).With(name);
                await record.ExecuteNonQueryAsync(Deadline);
            }
        }

        var id = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddDays(-3));
        const string tenant = "'00000000-0000-0000-0000-0000000000aa'";
        foreach (var sql in new[]
                 {
                     $"INSERT INTO tenants (id, name, slug, webhook_secret) VALUES ({tenant}, 'a', 'a', 's')",
                     $"""
                     INSERT INTO notifications (id, tenant_id, correlation_id, idempotency_key, payload_hash, event_type, priority, channels,
                                                recipient, payload, status, deliveries, created_at, updated_at)
                     VALUES ($1, {tenant}, gen_random_uuid(), 'key-1', '\x00', 'e', 2, ARRAY['EMAIL'], jsonb_build_object(), jsonb_build_object(), 'SENT', '[]', now(), now())
                     """,
                     $"INSERT INTO notification_events (tenant_id, notification_id, event, created_at) SELECT {tenant}, $1, 'CREATED', now() FROM generate_series(1, 3)",
                     $"INSERT INTO notification_logs (tenant_id, notification_id, channel, attempt, status, created_at) VALUES ({tenant}, $1, 'EMAIL', 1, 'SENT', now())",
                     $"INSERT INTO notification_outbox (tenant_id, notification_id, topic, event_payload, created_at) VALUES ({tenant}, $1, 'notification.status', jsonb_build_object(), now())",
                     $"""
                     INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, notification_id, payload, created_at)
                     VALUES (gen_random_uuid(), {tenant}, gen_random_uuid(), gen_random_uuid(), 'x', $1, jsonb_build_object(), now())
                     """,
                 })
        {
            await using var seed = dataSource.CreateCommand(sql);
            if (sql.Contains("$1", StringComparison.Ordinal))
            {
                seed.Parameters.Add(new NpgsqlParameter { Value = id });
            }

            await seed.ExecuteNonQueryAsync(Deadline);
        }

        (await Migrator.MigrateAsync(dataSource, Deadline)).Should().Contain("partitions");

        var tomorrow = DateTime.UtcNow.Date.AddDays(1);
        foreach (var table in new[] { "notifications", "notification_events", "notification_logs", "notification_outbox", "webhook_deliveries" })
        {
            (await ScalarAsync<string>(dataSource, $"SELECT pg_get_partkeydef('{table}'::regclass)")).Should().StartWith("RANGE");
            (await ScalarAsync<long>(dataSource, $"SELECT count(*) FROM {table}_until_{tomorrow:yyyyMMdd}"))
                .Should().BeGreaterThan(0, $"{table}'s rows stay where they were");
            (await ScalarAsync<long>(dataSource,
                    $"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass AND inhrelid::regclass::text LIKE '{table}_p%'"))
                .Should().Be(7, "a week of partitions from tomorrow");
        }

        (await ScalarAsync<long>(dataSource, "SELECT count(*) FROM notification_events")).Should().Be(3);
        (await ScalarAsync<Guid>(dataSource, "SELECT notification_id FROM notification_idempotency WHERE idempotency_key = 'key-1'"))
            .Should().Be(id, "the key moved to its own table");
        (await ScalarAsync<long>(dataSource,
                $"INSERT INTO notification_events (tenant_id, notification_id, event, created_at) VALUES ('00000000-0000-0000-0000-0000000000aa', '{id}', 'X', now()) RETURNING id"))
            .Should().Be(4, "the identity goes on from the old table's");
    }

    private async Task<NpgsqlDataSource> EmptyDatabaseAsync()
    {
        var server = await PostgresServer.GetAsync();
        return NpgsqlDataSource.Create(await server.CreateEmptyDatabaseAsync(nameof(MigratorTests), Deadline));
    }

    private async Task<List<int>> AppliedVersionsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(Deadline);
        var versions = new List<int>();
        while (await reader.ReadAsync(Deadline))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(Deadline))!;
    }

    private async Task InsertTenantAsync(NpgsqlDataSource dataSource, Guid id, string name)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO tenants (id, name, slug, webhook_secret) VALUES ($1, $2, $3, $4)");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = name + "-slug" });
        command.Parameters.Add(new NpgsqlParameter { Value = "secret-" + name });
        await command.ExecuteNonQueryAsync(Deadline);
    }

    // The runtime's tenant-scoped transaction: SET LOCAL ROLE plus a transaction-local tenant id.
    private async Task<long> CountTenantsAsTenantRoleAsync(NpgsqlDataSource dataSource, Guid? tenant)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Deadline);
        await using var transaction = await connection.BeginTransactionAsync(Deadline);
        await using (var role = new NpgsqlCommand("SET LOCAL ROLE notifly_tenant", connection, transaction))
        {
            await role.ExecuteNonQueryAsync(Deadline);
        }

        if (tenant is { } id)
        {
            await using var setTenant = new NpgsqlCommand("SELECT set_config('notifly.tenant_id', $1, true)", connection, transaction);
            setTenant.Parameters.Add(new NpgsqlParameter { Value = id.ToString() });
            await setTenant.ExecuteNonQueryAsync(Deadline);
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM tenants", connection, transaction);
        var rows = (long)(await count.ExecuteScalarAsync(Deadline))!;
        await transaction.RollbackAsync(Deadline);
        return rows;
    }
}
