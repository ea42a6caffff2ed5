// The dispatcher's "when is the next reminder due" (migration 0017): the statement is prepared,
// and a plan made while reminders was empty must not turn into a scan of the whole queue once it
// has filled. Checked by the pages the prepared statement reads, planned on an empty queue. A
// suspended tenant's reminders (migration 0018) are passed over without walking its backlog.
using System.Globalization;
using System.Text.RegularExpressions;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Storage;

public sealed class NextDuePlanTests
{
    [Fact]
    public async Task Stays_an_index_lookup_when_first_planned_on_an_empty_queue()
    {
        await using var dataSource = NpgsqlDataSource.Create(await (await PostgresServer.GetAsync()).CreateDatabaseAsync("next-due"));
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, "PREPARE next_due AS SELECT notifly_next_due_at()");
        await ExplainAsync(connection); // planned, and run, on the empty queue

        await ExecuteAsync(connection,
            """
            INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority)
            SELECT gen_random_uuid(), 'notification', gen_random_uuid(), now() + interval '1 day', 2 FROM generate_series(1, 20000)
            """);

        // A sequential scan would read every page of the 20,000 rows (about 230); reminders_due, a few.
        var plan = await ExplainAsync(connection);
        var pages = int.Parse(Regex.Match(plan, @"shared hit=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        pages.Should().BeLessThan(20, plan);
    }

    [Fact]
    public async Task Passes_over_a_suspended_tenants_backlog_without_walking_it()
    {
        await using var dataSource = NpgsqlDataSource.Create(await (await PostgresServer.GetAsync()).CreateDatabaseAsync("next-due-suspended"));
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection,
            """
            INSERT INTO tenants (id, name, slug, status, webhook_secret) VALUES
                ('00000000-0000-0000-0000-00000000000a', 'active', 'active', 'ACTIVE', 's'),
                ('00000000-0000-0000-0000-00000000000b', 'held', 'held', 'SUSPENDED', 's');
            INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority)
            SELECT gen_random_uuid(), 'notification', '00000000-0000-0000-0000-00000000000b', now() - interval '1 hour', 2
              FROM generate_series(1, 20000);
            INSERT INTO reminders (grain_id, kind, tenant_id, due_at, priority)
            VALUES (gen_random_uuid(), 'notification', '00000000-0000-0000-0000-00000000000a', '2100-01-01T00:00:00Z', 2);
            ANALYZE reminders;
            PREPARE next_due AS SELECT notifly_next_due_at();
            """);

        (await NextDueAsync(connection)).Should().Be(new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc), "the suspended tenant's overdue work is not due");
        var plan = await ExplainAsync(connection);
        var pages = int.Parse(Regex.Match(plan, @"shared hit=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        pages.Should().BeLessThan(40, plan);

        await ExecuteAsync(connection, "UPDATE tenants SET status = 'ACTIVE' WHERE slug = 'held'");
        (await NextDueAsync(connection)).Should().BeBefore(DateTime.UtcNow, "resumed, its overdue work is due again");
    }

    private static async Task<DateTime> NextDueAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("EXECUTE next_due", connection);
        return (DateTime)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) EXECUTE next_due", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
